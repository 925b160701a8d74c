"""What a query asks for, whichever engine answers it: the words a person typed, expanded.

Queries have no syntax to get wrong: "quoted phrases" must appear and -word excludes; every other
character (colons, brackets, wildcards, AND/OR/NOT) is just text, so nothing a user types raises.
Each word becomes a clause of alternatives (the word, the correction of a misspelt English word, the
other members of its synonym group); an article matching any clause is found, one matching more ranks
higher. The Whoosh backend (query.py) and the PostgreSQL one (pg_query.py) turn the same plan into
their own queries, so both expand a query alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kb.search.analysis import mains, tokens

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32
SYNONYM_BOOST = 0.8
CORRECTION_BOOST = 0.9
_PHRASE = re.compile(r'"([^"]*)"?')
_EXCLUDED = re.compile(r"(?:^|\s)-(\S+)")


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


# All of these terms (anywhere in the article), and the weight of what they add to its score.
Group = tuple[tuple[str, ...], float]


@dataclass
class Plan:
    clauses: list[list[Group]]  # any clause may match; within one, any of its groups
    phrases: list[list[tuple[int, str]]]  # each must appear: (position, term), positions as analysed
    excluded: list[str]  # terms no result may hold
    did_you_mean: str | None = None

    def terms(self) -> set[str]:
        """Every term the plan scores or requires."""
        found = {t for clause in self.clauses for terms, _ in clause for t in terms}
        return found | {t for phrase in self.phrases for _, t in phrase}


class Lexicon(Protocol):
    """What an index knows of its words: enough to correct a misspelt one."""

    def known(self, terms: set[str]) -> set[str]:
        """The `terms` that some article holds (title, tags or body)."""

    def closest(self, word: str) -> str | None:
        """The most frequent indexed spelling within one edit of `word` (two for long words)."""


@dataclass
class SynonymTable:
    version: object = None  # whatever tells the owner's cache that the groups changed
    # first term of a member -> [(member's terms, the other members' terms), ...]
    by_first: dict[str, list[tuple[tuple[str, ...], list[tuple[str, ...]]]]] = field(default_factory=dict)


def synonym_table(groups: Iterable[Iterable[str]], version: object = None) -> SynonymTable:
    """The editors' groups as the query sees them: each member analysed into its word sequence."""
    table = SynonymTable(version=version)
    for group in groups:
        members = [m for m in dict.fromkeys(mains(term) for term in group) if m]
        for member in members:
            others = [m for m in members if m != member]
            table.by_first.setdefault(member[0], []).append((member, others))
    return table


@dataclass
class _Clause:
    terms: list[str]  # alternatives at one position (a compound and its first part)
    original: str
    alternatives: list[Group] = field(default_factory=list)
    span: int = 1
    corrected: str | None = None  # the spelling correction's term, which synonyms are matched on


def build(text: str, options: Options, lexicon: Lexicon, synonyms: SynonymTable) -> Plan | None:
    """The plan for what a person typed; None when nothing in it can be searched for."""
    phrases = [p for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text)
    excluded = _EXCLUDED.findall(rest)
    rest = _EXCLUDED.sub(" ", rest)
    clauses = _clauses(rest)
    did_you_mean = _correct(lexicon, clauses, text) if options.corrections else None
    if options.synonyms:
        _expand_synonyms(synonyms, clauses)
    positive = []
    for clause in clauses:
        if clause.span == 0:
            continue  # absorbed by the synonym match that starts before it
        either = [((t,), 1.0) for t in dict.fromkeys(clause.terms)] + clause.alternatives
        if either:
            positive.append(either)
    required = [p for p in ([(pos, t) for pos, t, _ in tokens(phrase)] for phrase in phrases) if p]
    if not positive and not required:
        return None
    exclusions = [t for word in excluded for _, t, _ in tokens(word)]
    return Plan(positive, required, exclusions, did_you_mean)


def _clauses(text: str) -> list[_Clause]:
    clauses: dict[int, _Clause] = {}
    for pos, term, original in tokens(text):
        if pos in clauses:
            clauses[pos].terms.append(term)
        else:
            clauses[pos] = _Clause([term], original)
    return list(clauses.values())[:MAX_CLAUSES]


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
            head.alternatives.append((member, 1.0))
            for absorbed in clauses[i + 1 : i + len(member)]:
                absorbed.span = 0
        head.alternatives.extend((other, SYNONYM_BOOST) for other in others)
        i += len(member)


def _correctable(clause: _Clause) -> bool:
    word = clause.original.lower()
    return word.isascii() and word.isalpha() and len(word) >= 4


def _correct(lexicon: Lexicon, clauses: list[_Clause], text: str) -> str | None:
    """Add the closest known word for English words the index does not hold; returns the corrected text."""
    candidates = [c for c in clauses if _correctable(c)]
    if not candidates:
        return None
    known = lexicon.known({t for c in candidates for t in c.terms})
    corrected = text
    changed = False
    for clause in candidates:
        if any(t in known for t in clause.terms):
            continue
        suggestion = lexicon.closest(clause.original.lower())
        if suggestion is None:
            continue
        for _, term, _ in tokens(suggestion):
            clause.alternatives.append(((term,), CORRECTION_BOOST))
            clause.corrected = term
        corrected = re.sub(re.escape(clause.original), suggestion, corrected, count=1)
        changed = True
    return corrected if changed else None


def lead(body: str, length: int = 160) -> str:
    """The start of a body, for a result whose matches are not in it."""
    body = " ".join(body.split())
    return body if len(body) <= length else body[:length] + "…"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
