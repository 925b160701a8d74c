"""The top of the ranking without scoring every match: a query of common words matches thousands of
articles, and Whoosh scores each of them to keep ten.

What `query.py` builds for typed words is an Or of alternatives (title:x, tags:x, body:x for each word,
synonym and correction; And groups for synonyms of several words) with a coordination bonus. An
article's score is the sum of what its matching alternatives give, and each alternative's postings
know the most it can give (BM25 with the term's best frequency and its shortest field). So, as in the
MaxScore algorithm, this walks the articles of the strongest alternatives in document order and looks
the others up only for articles that can still make the top; once the bar (the score of the last
article kept) is high enough, the weakest alternatives stop bringing candidates at all: together they
cannot lift an article that has nothing else over it. The result is exactly the best `limit` articles
under Whoosh's own scores (ties by document number, as Whoosh orders them).

One difference from Whoosh on purpose: its coordination counts the query's terms again each time its
collector prunes the matcher tree, so an article's score depended on when it was reached; here the
count is the query's, from start to end. Small indexes (a thousand articles or fewer, where Whoosh
evaluates Ors differently and is fast anyway) and other query shapes (phrases, exclusions) are left
to Whoosh.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from whoosh import query as Q

# Up to this many documents Whoosh may preload an Or's matches and score them its own way; keep it.
# Not more: at 3,000 articles Whoosh's full evaluation of a broad query took 25-35 ms, the shortcut 10
# (bench/bench_kb.py).
MIN_DOCS = 1000
_NOWHERE = float("inf")
_SLACK = 1e-9  # bounds are sums like the scores, added up in another order


@dataclass
class _Alternative:
    matcher: object  # Whoosh matcher: a term in a field, or an And of such terms
    bound: float  # the most it adds to an article's score
    terms: list  # its term matchers, for the coordination count

    def matching(self, docnum: int) -> int:
        if len(self.terms) == 1:
            return 1
        return sum(1 for m in self.terms if m.is_active() and m.id() == docnum)


def search(searcher, query: Q.Query, limit: int, allowed, max_count: int):
    """([(score, docnum)] of the best `limit`, best first; how many match, counted up to `max_count`),
    or None for a query this does not handle (the caller runs it through Whoosh)."""
    if searcher.doc_count_all() <= MIN_DOCS:
        return None
    parts = _alternatives(query)
    if parts is None:
        return None
    scale = query.scale if isinstance(query, Q.Or) and len(query.subqueries) > 1 else None
    context = searcher.context()
    alternatives, termcount = [], 0
    for part in parts:
        m = part.matcher(searcher, context)
        terms = list(m.term_matchers())
        termcount += len(terms)
        if m.is_active():
            alternatives.append(_Alternative(m, m.max_quality(), terms))
    if not alternatives:
        return [], 0
    if not (scale and termcount):
        scale = None
    alternatives.sort(key=lambda a: -a.bound)
    ranked = _best(alternatives, termcount, scale, limit, allowed)
    return ranked, _count(searcher, parts, allowed, max_count)


def _alternatives(query: Q.Query) -> list[Q.Query] | None:
    """The alternatives of an Or (nested Ors flattened, repeats kept); None for any other shape."""
    if type(query) is Q.Term or _is_group(query):
        return [query]
    if type(query) is not Q.Or or query.boost != 1.0 or query.minmatch:
        return None
    found: list[Q.Query] = []
    for sub in query.subqueries:
        inner = _alternatives(sub)
        if inner is None:
            return None
        found.extend(inner)
    return found


def _is_group(query: Q.Query) -> bool:
    """An And of Ors of terms (a synonym of several words), scored as the sum of its parts."""
    if type(query) is not Q.And or query.boost != 1.0:
        return False
    return all(_alternatives(sub) is not None and not isinstance(sub, Q.And) for sub in query.subqueries)


def _best(alternatives: list[_Alternative], termcount: int, scale, limit: int, allowed):
    n = len(alternatives)
    # What alternatives i.. can add at most, and how many terms they hold.
    rest, rest_terms = [0.0] * (n + 1), [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        rest[i] = rest[i + 1] + alternatives[i].bound
        rest_terms[i] = rest_terms[i + 1] + len(alternatives[i].terms)
    if scale:
        bonus, factor = 1 / (termcount - scale) ** 2, (termcount - 1) / termcount

        def final(raw: float, terms: int) -> float:
            # Or(..., scale)'s coordination (whoosh.matching.CoordMatcher), with the query's term count.
            return (raw + (terms - 1) * bonus) * factor
    else:

        def final(raw: float, terms: int) -> float:
            return raw

    def reach(raw: float, terms: int) -> float:
        return final(raw, max(terms, 1)) * (1 + _SLACK) + _SLACK

    matchers = [a.matcher for a in alternatives]
    at = [m.id() for m in matchers]
    kept: list[tuple[float, int]] = []  # (score, -docnum): the worst kept article on top
    bar = None
    essential = n  # alternatives [0, essential) bring the candidates
    while True:
        docnum = min(at[:essential])
        if docnum == _NOWHERE:
            break
        here = [i for i in range(essential) if at[i] == docnum]
        wanted = allowed is None or docnum in allowed
        if wanted and bar is not None:
            ceiling = sum(alternatives[i].bound for i in here) + rest[essential]
            terms = sum(len(alternatives[i].terms) for i in here) + rest_terms[essential]
            wanted = reach(ceiling, terms) >= bar
        raw, terms = 0.0, 0
        for i in here:
            m = matchers[i]
            if wanted:
                raw += m.score()
                terms += alternatives[i].matching(docnum)
            m.next()
            at[i] = m.id() if m.is_active() else _NOWHERE
        if not wanted:
            continue
        for j in range(essential, n):
            if bar is not None and reach(raw + rest[j], terms + rest_terms[j]) < bar:
                break
            if at[j] < docnum:
                m = matchers[j]
                m.skip_to(docnum)
                at[j] = m.id() if m.is_active() else _NOWHERE
            if at[j] == docnum:
                raw += matchers[j].score()
                terms += alternatives[j].matching(docnum)
        else:
            entry = (final(raw, terms), -docnum)
            if len(kept) < limit:
                heapq.heappush(kept, entry)
            elif entry > kept[0]:
                heapq.heapreplace(kept, entry)
            if len(kept) == limit and (bar is None or kept[0][0] > bar):
                bar = kept[0][0]
                # The weakest alternatives, together, no longer lift an article past the bar.
                while essential > 1 and reach(rest[essential - 1], rest_terms[essential - 1]) < bar:
                    essential -= 1
    return sorted(((score, -negated) for score, negated in kept), key=lambda e: (-e[0], e[1]))


def _count(searcher, parts: list[Q.Query], allowed, max_count: int) -> int:
    """How many documents match any of `parts` (and the filter), counted up to `max_count`."""
    seen: set[int] = set()
    reader = searcher.reader()
    # The largest first: most often it alone reaches the cap.
    for part in sorted(parts, key=lambda p: p.estimate_size(reader), reverse=True):
        for docnum in part.docs(searcher):
            if allowed is None or docnum in allowed:
                seen.add(docnum)
                if len(seen) >= max_count:
                    return max_count
    return len(seen)
