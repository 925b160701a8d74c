"""Searching: the query built from what a person typed, synonyms, corrections, ranking and snippets.

Queries have no syntax to get wrong: "quoted phrases" must appear and -word excludes; every other
character (colons, brackets, wildcards, AND/OR/NOT) is just text, so nothing a user types raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from whoosh import query as Q
from whoosh.analysis import Token
from whoosh.highlight import FIRST, BasicFragmentScorer, HtmlFormatter, PinpointFragmenter, top_fragments
from whoosh.idsets import BitSet

from kb.search import topk
from kb.search.analysis import tokens
from kb.search.index import (
    IndexUnavailable,
    SynonymTable,
    forget_searchers,
    request_rebuild,
    searcher_for,
    synonym_table,
)

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32
MAX_COUNT = 1000
TITLE_BOOST = 3.0
TAG_BOOST = 1.5
SYNONYM_BOOST = 0.8
CORRECTION_BOOST = 0.9
COORDINATION = 0.9
_PHRASE = re.compile(r'"([^"]*)"?')
_EXCLUDED = re.compile(r"(?:^|\s)-(\S+)")

log = logging.getLogger(__name__)


@dataclass
class Hit:
    id: int
    slug: str | None
    title: str
    score: float
    snippet: str  # HTML: escaped text with <mark> around the matched words
    language: str
    category: str
    product: str
    visibility: str


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    did_you_mean: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Options:
    synonyms: bool = True
    corrections: bool = True


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
    snippets = _snippets(searcher, query, page_hits)
    hits = [
        Hit(
            id=int(hit["id"]),
            slug=hit.get("slug"),
            title=hit["title"],
            score=round(float(hit.score or 0.0), 4),
            snippet=snippets.get(hit.docnum) or _escape(_lead(hit.get("body", ""))),
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
    spans: dict[int, list[Token]] = {docnum: [] for docnum in docnums}
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
                    spans[docnum].append(Token(text=word, startchar=start, endchar=end, matched=True))
    fragmenter = PinpointFragmenter(maxchars=180, surround=50, autotrim=True)
    formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="t", between=" … ")
    result = {}
    for hit in hits:
        tokens = sorted(spans[hit.docnum], key=lambda t: (t.startchar, -t.endchar))
        # Overlapping matches (a word and the shorter word inside it) are marked once, as the longer.
        kept = [t for i, t in enumerate(tokens) if i == 0 or t.startchar >= tokens[i - 1].endchar]
        if not kept:
            continue
        body = hit.get("body", "")
        fragments = top_fragments(fragmenter.fragment_matches(body, kept), 2, BasicFragmentScorer(), FIRST)
        formatter.clean()
        result[hit.docnum] = formatter(body, fragments)
    return result


def _lead(body: str, length: int = 160) -> str:
    body = " ".join(body.split())
    return body if len(body) <= length else body[:length] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


@dataclass
class _Clause:
    terms: list[str]  # alternatives at one position (a compound and its first part)
    original: str
    alternatives: list[Q.Query] = field(default_factory=list)
    span: int = 1
    corrected: str | None = None  # the spelling correction's term, which synonyms are matched on


def _clauses(text: str) -> list[_Clause]:
    clauses: dict[int, _Clause] = {}
    for pos, term, original in tokens(text):
        if pos in clauses:
            clauses[pos].terms.append(term)
        else:
            clauses[pos] = _Clause([term], original)
    return list(clauses.values())[:MAX_CLAUSES]


def _build_query(searcher, index_dir, text: str, options: Options) -> tuple[Q.Query, str | None] | None:
    phrases = [p for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text)
    excluded = _EXCLUDED.findall(rest)
    rest = _EXCLUDED.sub(" ", rest)
    clauses = _clauses(rest)
    did_you_mean = None
    if options.corrections:
        did_you_mean = _correct(searcher, clauses, text)
    if options.synonyms:
        _expand_synonyms(synonym_table(index_dir), clauses)
    positive = []
    for clause in clauses:
        if clause.span == 0:
            continue  # absorbed by the synonym match that starts before it
        either = [_fields_for(t) for t in dict.fromkeys(clause.terms)] + clause.alternatives
        if either:
            positive.append(Q.Or(either) if len(either) > 1 else either[0])
    required = []
    for phrase in phrases:
        terms = [t for _, t, _ in tokens(phrase)]
        if len(terms) == 1:
            required.append(_fields_for(terms[0]))
        elif terms:
            required.append(Q.Or([Q.Phrase("title", terms), Q.Phrase("body", terms)]))
    if not positive and not required:
        return None
    parts = []
    if positive:
        parts.append(Q.Or(positive, scale=COORDINATION) if len(positive) > 1 else positive[0])
    query = Q.And(parts + required) if len(parts + required) > 1 else (parts + required)[0]
    exclusions = [_fields_for(t) for word in excluded for _, t, _ in tokens(word)]
    if exclusions:
        query = Q.AndNot(query, Q.Or(exclusions))
    return query, did_you_mean


def _expand_synonyms(table: SynonymTable, clauses: list[_Clause]) -> None:
    by_first = table.by_first
    if not by_first:
        return
    sequence = [c.corrected or c.terms[0] for c in clauses]
    i = 0
    while i < len(clauses):
        best = None
        for member, others in by_first.get(sequence[i], ()):
            if tuple(sequence[i : i + len(member)]) == member and (
                best is None or len(member) > len(best[0])
            ):
                best = (member, others)
        if best is None:
            i += 1
            continue
        member, others = best
        head = clauses[i]
        if len(member) > 1:
            # The matched words become one clause: all of them, or any other member of the group.
            head.terms = []
            head.alternatives.append(_all_of(member))
            for absorbed in clauses[i + 1 : i + len(member)]:
                absorbed.span = 0
        head.alternatives.extend(_all_of(other, SYNONYM_BOOST) for other in others)
        i += len(member)


def _correct(searcher, clauses: list[_Clause], text: str) -> str | None:
    """Add the closest known word for English words the index does not hold; returns the corrected text."""
    reader = searcher.reader()
    corrected = text
    changed = False
    for clause in clauses:
        word = clause.original.lower()
        if not word.isascii() or not word.isalpha() or len(word) < 4:
            continue
        if any(reader.doc_frequency(f, t) for t in clause.terms for f in ("title", "body", "tags")):
            continue
        suggestion = _closest(reader, word)
        if suggestion is None:
            continue
        for _, term, _ in tokens(suggestion):
            clause.alternatives.append(_fields_for(term, CORRECTION_BOOST))
            clause.corrected = term
        corrected = re.sub(re.escape(clause.original), suggestion, corrected, count=1)
        changed = True
    return corrected if changed else None


def _closest(reader, word: str) -> str | None:
    for distance in (1, 2) if len(word) > 5 else (1,):
        candidates = [c for c in reader.terms_within("spell", word, distance, prefix=1) if c != word]
        if candidates:
            return max(candidates, key=lambda c: (reader.doc_frequency("spell", c), c))
    return None
