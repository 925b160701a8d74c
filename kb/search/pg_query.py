"""Searching the PostgreSQL index: a query's plan (plan.py) as a tsquery, ranked in SQL.

The GIN index finds the articles that match; the ranking follows the Whoosh backend's so that the same
judged queries pass the same floors: each word scores by how rare it is (Whoosh's idf, from the term
statistics) times `ts_rank` on the weighted tsvector (title above tags above body, a count of
occurrences that saturates, a mild length normalisation), a synonym or a correction weighs a little
less than the word typed, and an article matching more of the query's clauses gets a bonus.
"""

from __future__ import annotations

import functools
import json
import math
import operator
from bisect import bisect_left

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from kb.search import pg_index, snippets
from kb.search import plan as plans
from kb.search.index import IndexUnavailable
from kb.search.pg_index import quote
from kb.search.pg_tables import documents, state, terms
from kb.search.plan import MAX_QUERY_CHARS, Hit, Options, Results, SynonymTable

# ts_rank's weights for D (body), C (unused), B (tags), A (title): the Whoosh backend's boosts 1, 1.5
# and 3, scaled into the 0..1 that ts_rank accepts.
RANK_WEIGHTS = sa.literal_column("'{0.3333,0,0.5,1}'::real[]")
RANK_NORMALISATION = 1  # divide by 1 + log(document length)
COORDINATION = 0.25  # an article matching every clause scores up to this much more
MAX_COUNT = 1000

# Per process: what every thread's searches share, replaced whole when its version changes.
_cache: dict[str, tuple] = {}


def search(
    session,
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
    """Articles matching `text`, best first, one page at a time (raises IndexUnavailable when the
    index was never built or cannot be read)."""
    options = options or Options()
    page, per_page = max(1, page), max(1, min(per_page, 100))
    text = (text or "")[:MAX_QUERY_CHARS]
    try:
        # In a savepoint: a failure must not spoil the caller's transaction, which falls back to a
        # plain database search.
        with session.begin_nested():
            current = pg_index.built_state(session)
            return _search(
                session, current, text, public_only, language, category, product, page, per_page, options
            )
    except sa.exc.SQLAlchemyError as exc:
        raise IndexUnavailable(str(exc)) from exc


def _search(session, current, text, public_only, language, category, product, page, per_page, options):
    lexicon = _Lexicon(session, current.terms_version)
    plan = plans.build(text, options, lexicon, _synonyms(session, current.synonyms_version))
    if plan is None:
        return Results([], 0, page, per_page)
    lexicon.fetch(plan.terms() | set(plan.excluded))
    ranking = _Ranking(plan, lexicon.frequency, max(current.documents, 1))
    if ranking.match is None:
        return Results([], 0, page, per_page, plan.did_you_mean)
    conditions = [documents.c.document.op("@@")(_tsquery(ranking.match))]
    if public_only:
        conditions.append(documents.c.visibility == "public")
    for column, value in (
        (documents.c.language, language),
        (documents.c.category, category),
        (documents.c.product, product),
    ):
        if value not in (None, ""):
            conditions.append(column == str(value))
    # Each match's ts_rank per word, once, into narrow rows; scored, counted and sorted from those; what
    # is shown is fetched for one page only. MATERIALIZED keeps PostgreSQL from carrying every matching
    # tsvector up to where the score is computed.
    ranks = (
        sa.select(documents.c.article_id, *ranking.columns())
        .where(*conditions)
        .cte("ranks")
        .prefix_with("MATERIALIZED")
    )
    score = ranking.score(ranks.c).label("score")
    ranked = (
        sa.select(ranks.c.article_id, score, sa.func.count().over().label("total"))
        .order_by(score.desc(), ranks.c.article_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .cte("ranked")
    )
    rows = session.execute(
        sa.select(*_SHOWN, ranked.c.score, ranked.c.total)
        .join_from(ranked, documents, documents.c.article_id == ranked.c.article_id)
        .order_by(ranked.c.score.desc(), ranked.c.article_id)
    ).all()
    if rows:
        total = rows[0].total
    else:
        total = session.scalar(sa.select(sa.func.count()).where(*conditions)) if page > 1 else 0
    words = plan.terms()
    hits = [
        Hit(
            id=r.article_id,
            slug=r.slug,
            title=r.title,
            score=round(float(r.score), 4),
            snippet=snippets.highlight(r.body, snippets.marked(r.marks, words))
            or plans.escape(plans.lead(r.body)),
            language=r.language,
            category=r.category,
            product=r.product,
            visibility=r.visibility,
        )
        for r in rows
    ]
    return Results(hits, min(total, MAX_COUNT), page, per_page, plan.did_you_mean)


_SHOWN = [
    documents.c[name]
    for name in (
        "article_id",
        "slug",
        "title",
        "body",
        "marks",
        "language",
        "category",
        "product",
        "visibility",
    )
]


def _tsquery(text: str):
    # Inlined into the statement: a prepared statement's generic plan would parse it again for every row.
    return sa.cast(sa.bindparam(None, text, type_=sa.String, literal_execute=True), TSQUERY)


class _Ranking:
    """A plan as a tsquery to match and a score over each word's ts_rank.

    An article's score is the sum over the plan's groups of boost x sum over the group's words of
    idf x ts_rank (a group of several words counts only when all are there), times a coordination
    bonus for the share of the query's clauses it matches.
    """

    def __init__(self, plan: plans.Plan, frequency: dict[str, int], documents_total: int):
        self.idf = {t: math.log(documents_total / (n + 1)) + 1 for t, n in frequency.items() if n}
        self.clauses = [
            [(terms_, boost) for terms_, boost in clause if all(t in self.idf for t in terms_)]
            for clause in plan.clauses
        ]
        self.clauses = [clause for clause in self.clauses if clause]
        self.phrases = plan.phrases
        self.match = self._match(plan)
        words = [t for clause in self.clauses for terms_, _ in clause for t in terms_]
        words += [t for phrase in self.phrases for _, t in phrase]
        self.words = list(dict.fromkeys(words))

    def _match(self, plan: plans.Plan) -> str | None:
        if any(t not in self.idf for phrase in plan.phrases for _, t in phrase):
            return None  # a required word that no article holds
        either = [" | ".join(f"( {_all_of(terms_)} )" for terms_, _ in clause) for clause in self.clauses]
        parts = ([" | ".join(f"( {c} )" for c in either)] if either else []) + [
            _phrase(phrase) for phrase in plan.phrases
        ]
        if not parts:
            return None
        query = " & ".join(f"( {p} )" for p in parts)
        excluded = [quote(t) for t in dict.fromkeys(plan.excluded) if t in self.idf]
        if excluded:
            query = f"( {query} ) & !( {' | '.join(excluded)} )"
        return query

    def columns(self) -> list:
        return [
            sa.func.ts_rank(
                RANK_WEIGHTS, documents.c.document, _tsquery(quote(word)), RANK_NORMALISATION
            ).label(f"r{i}")
            for i, word in enumerate(self.words)
        ]

    def score(self, c):
        rank = {word: c[f"r{i}"] for i, word in enumerate(self.words)}

        def present(terms_):
            return sa.and_(*(rank[t] > 0 for t in terms_))

        parts, matched = [], []
        for clause in self.clauses:
            for terms_, boost in clause:
                part = _sum([rank[t] * (boost * self.idf[t]) for t in terms_])
                parts.append(sa.case((present(terms_), part), else_=0.0) if len(terms_) > 1 else part)
            matched.append(sa.case((sa.or_(*(present(t) for t, _ in clause)), 1.0), else_=0.0))
        for phrase in self.phrases:
            parts += [rank[t] * self.idf[t] for t in dict.fromkeys(t for _, t in phrase)]
        score = _sum(parts)
        if len(matched) > 1:
            score = score * (1 + (_sum(matched) - 1) * (COORDINATION / (len(matched) - 1)))
        return score


def _sum(values: list):
    return functools.reduce(operator.add, values)


def _all_of(terms_: tuple[str, ...]) -> str:
    return " & ".join(quote(t) for t in dict.fromkeys(terms_))


def _phrase(phrase: list[tuple[int, str]]) -> str:
    """Words at their analysed distances, in the title or the body (as Whoosh's phrase fields): "E-42"
    is e-42 and e at one position, 42 at the next."""
    parts = [quote(phrase[0][1]) + ":AD"]
    for (before, _), (at, term) in zip(phrase, phrase[1:], strict=False):
        parts.append(f"<{max(at - before, 0)}> {quote(term)}:AD")
    return " ".join(parts)


# -- what the index knows of its words ----------------------------------------------------------------


class _Lexicon:
    """Term statistics for the query's words (one query), and spelling corrections (plan.Lexicon)."""

    def __init__(self, session, version: int):
        self.session, self.version = session, version
        self.frequency: dict[str, int] = {}

    def fetch(self, wanted: set[str]) -> None:
        missing = [t for t in wanted if t not in self.frequency]
        if not missing:
            return
        self.frequency.update(dict.fromkeys(missing, 0))
        found = self.session.execute(
            sa.select(terms.c.term, terms.c.documents).where(
                terms.c.field == "index", terms.c.term.in_(missing)
            )
        )
        self.frequency.update({term: n for term, n in found})

    def known(self, wanted: set[str]) -> set[str]:
        self.fetch(wanted)
        return {t for t in wanted if self.frequency.get(t)}

    def closest(self, word: str) -> str | None:
        words, counts = _spelling(self.session, self.version)

        def at_or_after(text: str) -> str | None:
            i = bisect_left(words, text)
            return words[i] if i < len(words) else None

        for distance in (1, 2) if len(word) > 5 else (1,):
            dfa = levenshtein_automaton(word, distance, prefix=1).to_dfa()
            candidates = [c for c in find_all_matches(dfa, at_or_after) if c != word]
            if candidates:
                return max(candidates, key=lambda c: (counts[c], c))
        return None


def _spelling(session, version: int) -> tuple[list[str], dict[str, int]]:
    """Every spelling word and how many articles hold it, kept per process until the terms change."""
    cached = _cache.get("spelling")
    if cached is None or cached[0] != version:
        counts = dict(
            session.execute(sa.select(terms.c.term, terms.c.documents).where(terms.c.field == "spell")).all()
        )
        cached = _cache["spelling"] = (version, sorted(counts), counts)
    return cached[1], cached[2]


def _synonyms(session, version: int) -> SynonymTable:
    cached = _cache.get("synonyms")
    if cached is None or cached[0].version != version:
        stored = session.scalar(sa.select(state.c.synonyms).where(state.c.id == 1))
        try:
            groups = json.loads(stored) if stored else []
        except ValueError:
            groups = []
        cached = _cache["synonyms"] = (plans.synonym_table(groups, version=version),)
    return cached[0]
