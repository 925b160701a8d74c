"""Text analysis for the knowledge-base index: one analyser for Chinese, English and mixed text.

Chinese runs are cut by jieba's precise mode; at index time the dictionary words inside a longer word
are added at its position (what jieba's "search" mode does), so 连接 finds 连接池. Other words are
NFKC-folded, lower-cased and Porter-stemmed; "E-42" and "ERR_CONN_RESET" are kept whole beside their
parts. So "APNs 证书过期" is apn + 证书 + 过期.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import jieba
import jieba.finalseg
from whoosh.analysis import STOP_WORDS, StemFilter, StopFilter, Token, Tokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.lang.porter import stem

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+(?:[._\-][^\W_{_CJK}]+)*)")
_PART = re.compile(rf"[^\W_{_CJK}]+")
ZH_STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "或",
        "及",
        "我",
        "我们",
        "你",
        "您",
        "他",
        "她",
        "它",
        "吗",
        "呢",
        "啊",
        "吧",
        "把",
        "被",
        "也",
        "都",
        "就",
        "还",
        "又",
        "这",
        "那",
        "这个",
        "那个",
        "一个",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "为什么",
        "请问",
        "请",
        "能",
        "会",
        "要",
        "可以",
        "有",
        "没有",
        "无法",
        "不能",
    ]
)

jieba.setLogLevel(logging.WARNING)  # its INFO lines about loading the dictionary go to stderr otherwise

# jieba guesses the words of a run its dictionary does not cover with an HMM, and its Viterbi (a table
# of dicts, a list copied per state and character) was a third of the indexing time. This one computes
# the same thing (same additions in the same order, ties going the same way) with four numbers per
# step; jieba looks the function up in its module on every call.
_jieba_viterbi = jieba.finalseg.viterbi
_UNSEEN = jieba.finalseg.MIN_FLOAT


def _viterbi(obs, states, start_p, trans_p, emit_p):
    if states != "BMES" or not obs:
        return _jieba_viterbi(obs, states, start_p, trans_p, emit_p)
    b_emit, m_emit, e_emit, s_emit = (emit_p[state].get for state in "BMES")
    e_to_b, s_to_b = trans_p["E"].get("B", _UNSEEN), trans_p["S"].get("B", _UNSEEN)
    m_to_m, b_to_m = trans_p["M"].get("M", _UNSEEN), trans_p["B"].get("M", _UNSEEN)
    b_to_e, m_to_e = trans_p["B"].get("E", _UNSEEN), trans_p["M"].get("E", _UNSEEN)
    s_to_s, e_to_s = trans_p["S"].get("S", _UNSEEN), trans_p["E"].get("S", _UNSEEN)
    first = obs[0]
    b = start_p["B"] + b_emit(first, _UNSEEN)
    m = start_p["M"] + m_emit(first, _UNSEEN)
    e = start_p["E"] + e_emit(first, _UNSEEN)
    s = start_p["S"] + s_emit(first, _UNSEEN)
    came_from = []
    for char in obs[1:]:
        # jieba takes max((probability, previous state)): on equal probabilities the later letter wins.
        em = b_emit(char, _UNSEEN)
        via_e, via_s = e + e_to_b + em, s + s_to_b + em
        next_b, from_b = (via_s, "S") if via_s >= via_e else (via_e, "E")
        em = m_emit(char, _UNSEEN)
        via_m, via_b = m + m_to_m + em, b + b_to_m + em
        next_m, from_m = (via_m, "M") if via_m >= via_b else (via_b, "B")
        em = e_emit(char, _UNSEEN)
        via_b, via_m = b + b_to_e + em, m + m_to_e + em
        next_e, from_e = (via_m, "M") if via_m >= via_b else (via_b, "B")
        em = s_emit(char, _UNSEEN)
        via_s, via_e = s + s_to_s + em, e + e_to_s + em
        next_s, from_s = (via_s, "S") if via_s >= via_e else (via_e, "E")
        came_from.append({"B": from_b, "M": from_m, "E": from_e, "S": from_s})
        b, m, e, s = next_b, next_m, next_e, next_s
    probability, state = (s, "S") if s >= e else (e, "E")
    path = [state]
    for step in reversed(came_from):
        state = step[state]
        path.append(state)
    path.reverse()
    return probability, path


jieba.finalseg.viterbi = _viterbi


def warm_up() -> None:
    """Load jieba's dictionary now (about half a second) so that no search pays for it."""
    jieba.initialize()


class MixedTokenizer(Tokenizer):
    """Chinese runs through jieba, everything else as words; see the module docstring."""

    def __init__(self, latin_only: bool = False):
        self.latin_only = latin_only  # the spelling field keeps plain English words only

    def __call__(  # noqa: C901  (whoosh's tokenizer protocol)
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text = token.original = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos
        subwords = mode != "query" and not self.latin_only

        def emit(text, start, end, at):
            token.text = text if text.isascii() else unicodedata.normalize("NFKC", text)
            token.text = token.text.lower()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = at
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            return token

        for run in _RUNS.finditer(value):
            base = run.start()
            if run.lastgroup == "cjk":
                if self.latin_only:
                    continue
                for word, start, end in jieba.tokenize(run.group()):
                    yield emit(word, base + start, base + end, pos)
                    if subwords and len(word) > 2:
                        for inner, offset in _inner_words(word):
                            yield emit(inner, base + start + offset, base + start + offset + len(inner), pos)
                    pos += 1
                continue
            parts = list(_PART.finditer(run.group()))
            if self.latin_only:
                for part in parts:
                    if part.group().isalpha() and len(part.group()) > 2:
                        yield emit(part.group(), base + part.start(), base + part.end(), pos)
                        pos += 1
                continue
            if len(parts) > 1:
                yield emit(run.group(), run.start(), run.end(), pos)
            for part in parts:
                yield emit(part.group(), base + part.start(), base + part.end(), pos)
                pos += 1


def _inner_words(word: str):
    """Dictionary words of two and three characters inside `word`, as jieba's search mode finds them."""
    freq = jieba.dt.FREQ
    for n in (2, 3):
        if len(word) <= n:
            continue
        for i in range(len(word) - n + 1):
            gram = word[i : i + n]
            if freq.get(gram):
                yield gram, i


def analyzer():
    return (
        MixedTokenizer()
        | StopFilter(stoplist=STOP_WORDS | ZH_STOP_WORDS, minsize=1, renumber=False)
        | StemFilter(stemfn=stem, cachesize=50000)
    )


def spelling_analyzer():
    return MixedTokenizer(latin_only=True) | StopFilter(minsize=3, renumber=False)


def schema() -> Schema:
    text = analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        slug=STORED,
        title=TEXT(analyzer=text, stored=True),
        # Character offsets are stored so snippets come from the postings, without re-analysing bodies.
        body=TEXT(analyzer=text, stored=True, chars=True),
        tags=TEXT(analyzer=text, stored=True),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False),
        language=ID(stored=True),
        category=ID(stored=True),
        product=ID(stored=True),
        visibility=ID(stored=True),
    )


_query_analyzer = analyzer()


def tokens(text: str) -> list[tuple[int, str, str]]:
    """(position, term, original) for `text` as a query sees it."""
    return [
        (t.pos, t.text, t.original)
        for t in _query_analyzer(text, positions=True, keeporiginal=True, mode="query")
        if not t.stopped
    ]


def mains(text: str) -> tuple[str, ...]:
    """The first term at each position: the word sequence that synonyms are matched against."""
    seen: dict[int, str] = {}
    for pos, term, _ in tokens(text):
        seen.setdefault(pos, term)
    return tuple(seen.values())
