"""The shortcut to the top of the ranking (kb/search/topk.py) against scoring every match, and the
faster Viterbi that jieba's word guessing runs on against jieba's own.

Large indexes take the shortcut (small ones go through Whoosh), so these tests lower the threshold and
use the judged corpus: what it must return is exactly the best articles of a full evaluation.
"""

from __future__ import annotations

import random

import jieba.finalseg
import pytest
from whoosh import query as Q

from kb import search
from kb.search import analysis, topk
from kb.search.index import searcher_for
from kb.search.query import Options, _allowed, _build_query
from tests.kb import judged

EXTRA_QUERIES = ["certificate", "push 推送", "sync conflict copy", "refnd", "VPN 断线 vpn", "webhook payment"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("topk-index")
    search.rebuild(path, judged.documents())
    search.write_synonyms(path, judged.SYNONYMS)
    return path


@pytest.fixture
def everywhere(monkeypatch):
    monkeypatch.setattr(topk, "MIN_DOCS", 0)


def full_ranking(searcher, query, allowed):
    """Every matching document scored: the sum over matching alternatives, the coordination bonus
    counted over all of the query's terms; best first, ties by document number."""
    parts = topk._alternatives(query)
    scale = query.scale if isinstance(query, Q.Or) and len(query.subqueries) > 1 else None
    termcount, found = 0, {}
    for part in parts:
        m = part.matcher(searcher, searcher.context())
        terms = list(m.term_matchers())
        termcount += len(terms)
        while m.is_active():
            docnum = m.id()
            if allowed is None or docnum in allowed:
                matching = sum(1 for t in terms if t.is_active() and t.id() == docnum)
                raw, count = found.get(docnum, (0.0, 0))
                found[docnum] = (raw + m.score(), count + matching)
            m.next()
    if not (scale and termcount):
        scores = {d: raw for d, (raw, _) in found.items()}
    else:
        scores = {
            d: (raw + (count - 1) / (termcount - scale) ** 2) * ((termcount - 1) / termcount)
            for d, (raw, count) in found.items()
        }
    return sorted(((score, d) for d, score in scores.items()), key=lambda e: (-e[0], e[1]))


@pytest.mark.parametrize("public_only", [False, True])
def test_the_shortcut_returns_exactly_the_best_of_a_full_evaluation(corpus, everywhere, public_only):
    searcher = searcher_for(corpus)
    allowed = _allowed(searcher, (("visibility", "public"),) if public_only else ())
    checked = 0
    for text in [q for q, _, _ in judged.QUERIES] + EXTRA_QUERIES:
        built = _build_query(searcher, corpus, text, Options())
        if built is None or topk._alternatives(built[0]) is None:
            continue
        everything = full_ranking(searcher, built[0], allowed)
        for limit in (1, 3, 5, 10):
            ranked, total = topk.search(searcher, built[0], limit, allowed, max_count=4)
            assert [d for _, d in ranked] == [d for _, d in everything[:limit]], text
            assert [s for s, _ in ranked] == pytest.approx([s for s, _ in everything[:limit]]), text
            assert total == min(4, len(everything)), text
        checked += 1
    assert checked >= len(judged.QUERIES) // 2  # the usual query shape takes the shortcut


def test_pages_through_the_shortcut_match_one_long_page(corpus, everywhere):
    whole = search.search(corpus, "push notification certificate", public_only=False, per_page=30)
    pages = [
        hit.id
        for page in (1, 2, 3)
        for hit in search.search(
            corpus, "push notification certificate", public_only=False, page=page, per_page=4
        ).hits
    ]
    assert pages == [hit.id for hit in whole.hits][:12]
    assert all(hit.snippet for hit in whole.hits)


def test_the_viterbi_guesses_the_same_words_as_jiebas():
    rng = random.Random(3)
    chars = (
        [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
        + list("证书过期推送同步冲突退款失败登录密码")
        + ["x", "7"]
    )
    model = (jieba.finalseg.start_P, jieba.finalseg.trans_P, jieba.finalseg.emit_P)
    for _ in range(3000):
        run = "".join(rng.choice(chars) for _ in range(rng.randint(1, 10)))
        assert analysis._viterbi(run, "BMES", *model) == analysis._jieba_viterbi(run, "BMES", *model), run
