"""Snippets: the best two fragments of a body around the matched words, as escaped HTML with <mark>.

Both backends format them here, so a result looks the same whichever engine found it: Whoosh hands in
the character offsets it keeps in its postings, PostgreSQL the ones its documents table keeps beside
the tsvector (which has none); analysing the shown bodies again cost more than the search.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.analysis import Token
from whoosh.highlight import FIRST, BasicFragmentScorer, HtmlFormatter, PinpointFragmenter, top_fragments


def match(word: str, start: int, end: int) -> Token:
    return Token(text=word, startchar=start, endchar=end, matched=True)


def highlight(body: str, matches: Iterable[Token]) -> str | None:
    """Up to two fragments of `body` with `matches` marked; None when nothing matched in the body."""
    found = sorted(matches, key=lambda t: (t.startchar, -t.endchar))
    # Overlapping matches (a word and the shorter word inside it) are marked once, as the longer.
    kept = [t for i, t in enumerate(found) if i == 0 or t.startchar >= found[i - 1].endchar]
    if not kept:
        return None
    fragmenter = PinpointFragmenter(maxchars=180, surround=50, autotrim=True)
    formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="t", between=" … ")
    fragments = top_fragments(fragmenter.fragment_matches(body, kept), 2, BasicFragmentScorer(), FIRST)
    return formatter(body, fragments)


def marked(marks: str, words: set[str]) -> list[Token]:
    """The matches among a body's marks ("start:end:word ..." as pg_index writes them)."""
    found = []
    for mark in marks.split():
        start, end, word = mark.split(":", 2)
        if word in words:
            found.append(match(word, int(start), int(end)))
    return found
