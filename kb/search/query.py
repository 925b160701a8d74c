"""Searching the Whoosh index: a query's plan (plan.py) as a Whoosh query, ranking and snippets."""

from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path

from whoosh import query as Q
from whoosh.idsets import BitSet

from kb.search import plan as plans
from kb.search import snippets, topk
from kb.search.index import (
    IndexUnavailable,
    forget_searchers,
    request_rebuild,
    searcher_for,
    synonym_table,
)
from kb.search.plan import MAX_QUERY_CHARS, Hit, Options, Results

MAX_COUNT = 1000
TITLE_BOOST = 3.0
TAG_BOOST = 1.5
COORDINATION = 0.9

log = logging.getLogger(__name__)

__all__ = ["Hit", "Options", "Results", "search"]


def search(
    index_dir: str | Path,
    text: str,
    *,
    public_only: bool = True,
    language: str | None = None,
    category: str | int | None = None,
    product: str | None = None,
    page: int = 1,
    per_page: int = 10,
    options: Options | None = None,
) -> Results:
    """Articles matching `text`, best first, one page at a time."""
    options = options or Options()
    page, per_page = max(1, page), max(1, min(per_page, 100))
    text = (text or "")[:MAX_QUERY_CHARS]
    try:
        return _search(index_dir, text, public_only, language, category, product, page, per_page, options)
    except IndexUnavailable:
        raise
    except Exception as first:
        # A writer may have replaced segments under an old searcher: try once more with a fresh one.
        forget_searchers()
        try:
            return _search(index_dir, text, public_only, language, category, product, page, per_page, options)
        except Exception as exc:
            log.warning("search index unreadable (%s; %s): asking for a rebuild", first, exc)
            request_rebuild(index_dir)
            forget_searchers()
            raise IndexUnavailable(str(exc)) from exc


def _search(index_dir, text, public_only, language, category, product, page, per_page, options) -> Results:
    searcher = searcher_for(index_dir)
    built = _build_query(searcher, index_dir, text, options)
    if built is None:
        return Results([], 0, page, per_page)
    query, did_you_mean = built
    filters = [("visibility", "public")] if public_only else []
    for name, value in (("language", language), ("category", category), ("product", product)):
        if value not in (None, ""):
            filters.append((name, str(value)))
    allowed = _allowed(searcher, tuple(filters))
    limit = page * per_page
    found = topk.search(searcher, query, limit, allowed, MAX_COUNT)
    if found is None:
        results = searcher.search(query, limit=limit, filter=allowed)
        page_hits = list(results[(page - 1) * per_page : page * per_page])
        total = _count(results)
    else:
        ranked, total = found
        page_hits = [_Stored(searcher, score, docnum) for score, docnum in ranked[(page - 1) * per_page :]]
    shown = _snippets(searcher, query, page_hits)
    hits = [
        Hit(
            id=int(hit["id"]),
            slug=hit.get("slug"),
            title=hit["title"],
            score=round(float(hit.score or 0.0), 4),
            snippet=shown.get(hit.docnum) or plans.escape(plans.lead(hit.get("body", ""))),
            language=hit.get("language", ""),
            category=hit.get("category", ""),
            product=hit.get("product", ""),
            visibility=hit.get("visibility", ""),
        )
        for hit in page_hits
    ]
    return Results(hits, total, page, per_page, did_you_mean)


class _Stored(dict):
    """A ranked document's stored fields, with its number and score (what a Whoosh Hit offers)."""

    def __init__(self, searcher, score: float, docnum: int):
        super().__init__(searcher.stored_fields(docnum))
        self.score, self.docnum = score, docnum


def _allowed(searcher, filters: tuple[tuple[str, str], ...]) -> BitSet | None:
    """The documents the filters let through, kept with the searcher (a new searcher sees a changed
    index): building the set walks every public article's posting, a cost each search paid again."""
    if not filters:
        return None
    cache = searcher.__dict__.setdefault("_kb_allowed", {})
    found = cache.get(filters)
    if found is None:
        query = Q.And([Q.Term(name, value) for name, value in filters])
        found = BitSet(searcher.docs_for_query(query), size=searcher.doc_count_all())
        if len(cache) >= 32:
            cache.clear()
        cache[filters] = found
    return found


def _count(results) -> int:
    """How many documents matched, counted up to MAX_COUNT.

    Whoosh skips whole blocks of postings that cannot reach the top of the ranking, so an exact total
    means walking every match again; past MAX_COUNT nobody pages through the results anyway.
    """
    collector = results.collector
    # A filter wraps the collector that ranks, and only that one knows whether it counted.
    if getattr(collector, "child", collector).computes_count():
        return len(results)
    return sum(1 for _ in islice(collector.all_ids(), MAX_COUNT))


def _snippets(searcher, query: Q.Query, hits) -> dict[int, str]:
    """Highlighted fragments of the bodies of `hits`, from the character offsets kept in the postings.

    Only the shown hits are looked at: asking Whoosh to record matched terms for every matching
    document (terms=True) costs more than the whole search on a large index.
    """
    docnums = sorted(hit.docnum for hit in hits)
    words = {text for field, text in query.iter_all_terms() if field == "body"}
    spans: dict[int, list] = {docnum: [] for docnum in docnums}
    reader = searcher.reader()
    for word in words:
        if ("body", word) not in reader:
            continue
        matcher = searcher.postings("body", word)
        for docnum in docnums:
            if not matcher.is_active():
                break
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                for _pos, start, end in matcher.value_as("characters"):
                    spans[docnum].append(snippets.match(word, start, end))
    result = {}
    for hit in hits:
        marked = snippets.highlight(hit.get("body", ""), spans[hit.docnum])
        if marked:
            result[hit.docnum] = marked
    return result


def _fields_for(term: str, boost: float = 1.0) -> Q.Query:
    return Q.Or(
        [
            Q.Term("title", term, boost=TITLE_BOOST * boost),
            Q.Term("tags", term, boost=TAG_BOOST * boost),
            Q.Term("body", term, boost=boost),
        ]
    )


def _all_of(terms: tuple[str, ...], boost: float = 1.0) -> Q.Query:
    return _fields_for(terms[0], boost) if len(terms) == 1 else Q.And([_fields_for(t, boost) for t in terms])


class _Lexicon:
    """The index's own words, for corrections (plan.Lexicon)."""

    def __init__(self, reader):
        self.reader = reader

    def known(self, terms: set[str]) -> set[str]:
        return {t for t in terms if any(self.reader.doc_frequency(f, t) for f in ("title", "body", "tags"))}

    def closest(self, word: str) -> str | None:
        reader = self.reader
        for distance in (1, 2) if len(word) > 5 else (1,):
            candidates = [c for c in reader.terms_within("spell", word, distance, prefix=1) if c != word]
            if candidates:
                return max(candidates, key=lambda c: (reader.doc_frequency("spell", c), c))
        return None


def _build_query(searcher, index_dir, text: str, options: Options) -> tuple[Q.Query, str | None] | None:
    plan = plans.build(text, options, _Lexicon(searcher.reader()), synonym_table(index_dir))
    if plan is None:
        return None
    positive = []
    for clause in plan.clauses:
        either = [_all_of(terms, boost) for terms, boost in clause]
        positive.append(Q.Or(either) if len(either) > 1 else either[0])
    required = []
    for phrase in plan.phrases:
        terms = [t for _, t in phrase]
        if len(terms) == 1:
            required.append(_fields_for(terms[0]))
        else:
            required.append(Q.Or([Q.Phrase("title", terms), Q.Phrase("body", terms)]))
    parts = []
    if positive:
        parts.append(Q.Or(positive, scale=COORDINATION) if len(positive) > 1 else positive[0])
    query = Q.And(parts + required) if len(parts + required) > 1 else (parts + required)[0]
    if plan.excluded:
        query = Q.AndNot(query, Q.Or([_fields_for(t) for t in plan.excluded]))
    return query, plan.did_you_mean
