"""The bilingual glossary: product vocabulary mapped onto language-free concept ids, kept on a page.

"设备离线", "gateway offline" and "dropping off the platform" all become {DEVICE, OFFLINE}: this is what
lets recurring-problem detection put a Chinese and an English report of one fault together. The team
edits the concepts (`GlossaryConcept`, one row per concept with its English and Chinese terms) at
/reviews/glossary; `DEFAULT_CONCEPTS` (reviews/vocabulary.py) is where a new desk starts.

`Matcher` is pure: built from concepts, it finds them in text. Terms go through the same canonical form as
the text (reviews/text.py), so "expired" in the glossary matches "expires" in a ticket. All terms are
compiled into one regular expression shaped as a trie, leftmost-longest: "仪表盘" (dashboard) wins over
"仪表", and matching costs a few steps per character whatever the size of the glossary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from reviews import text as textmod
from reviews.errors import ReviewError
from reviews.models import GlossaryConcept
from reviews.vocabulary import DEFAULT_CONCEPTS, Concept

KINDS = ("symptom", "vague", "object", "common")
# How much sharing a concept of each kind says about two tickets being the same fault.
KIND_WEIGHTS = {"symptom": 2.0, "vague": 0.5, "object": 2.0, "common": 0.4}
_ASCII_WORD = re.compile(r"[a-z0-9]")


class Matcher:
    """Finds glossary concepts in canonical text (see `reviews.text.canonical`)."""

    def __init__(self, concepts: Iterable[Concept]):
        self.concepts: dict[str, Concept] = {}
        self.term_concept: dict[str, str] = {}
        for concept in concepts:
            self.concepts[concept.code] = concept
            for term in (*concept.terms_en, *concept.terms_zh):
                key = textmod.canonical(term).strip()
                if key:
                    self.term_concept.setdefault(key, concept.code)
        self._regex = re.compile(_trie_pattern(self.term_concept)) if self.term_concept else None

    def find(self, canonical_text: str) -> set[str]:
        """The codes of the concepts whose terms occur in `canonical_text`."""
        if self._regex is None:
            return set()
        lookup = self.term_concept
        return {lookup[m.group()] for m in self._regex.finditer(canonical_text)}

    def kind(self, code: str) -> str:
        concept = self.concepts.get(code)
        return concept.kind if concept else "common"

    def label(self, code: str) -> tuple[str, str]:
        concept = self.concepts.get(code)
        return (concept.label_en, concept.label_zh) if concept else (code, code)


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex for all terms, as a trie: shared prefixes are tried once, longer terms first.

    A term that starts or ends with a Latin letter or digit must start or end a word there ("port" must
    not match inside "report"); Chinese has no word boundaries to respect.
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = True

    def render(node: dict, last: str) -> str:
        branches = [re.escape(ch) + render(child, ch) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append("(?![a-z0-9])" if _ASCII_WORD.match(last) else "")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    first = []
    for ch, child in sorted(trie.items()):
        start = "(?<![a-z0-9])" if _ASCII_WORD.match(ch) else ""
        first.append(start + re.escape(ch) + render(child, ch))
    return "|".join(first)


# -- the stored glossary ---------------------------------------------------------------------------


def as_concept(row: GlossaryConcept) -> Concept:
    return Concept(row.code, row.kind, row.label_en, row.label_zh, row.terms_en_list, row.terms_zh_list)


def stored_concepts() -> list[Concept]:
    """The team's glossary; the default vocabulary while the team has none."""
    rows = db.session.scalars(sa.select(GlossaryConcept).order_by(GlossaryConcept.code)).all()
    return [as_concept(row) for row in rows] if rows else list(DEFAULT_CONCEPTS)


_cache: dict[tuple, Matcher] = {}


def current_matcher() -> Matcher:
    """A Matcher for the stored glossary, rebuilt only when the glossary changed (one small query)."""
    stamp = tuple(
        db.session.execute(
            sa.select(
                sa.func.count(GlossaryConcept.id),
                sa.func.max(GlossaryConcept.updated_at),
                sa.func.sum(GlossaryConcept.id),
            )
        ).one()
    )
    matcher = _cache.get(stamp)
    if matcher is None:
        matcher = Matcher(stored_concepts())
        _cache.clear()
        _cache[stamp] = matcher
    return matcher


KIND_LABELS = {
    "symptom": _l("Symptom: what goes wrong"),
    "vague": _l("Vague symptom: that something goes wrong"),
    "object": _l("Object: what it goes wrong with"),
    "common": _l("Common word: counts little"),
}
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
TERM_MAX = 100


def seed_defaults(*, now: datetime | None = None) -> int:
    """Store the default vocabulary's concepts that the glossary lacks; returns how many were added."""
    now = now or utcnow()
    have = set(db.session.scalars(sa.select(GlossaryConcept.code)))
    added = 0
    for concept in DEFAULT_CONCEPTS:
        if concept.code not in have:
            db.session.add(
                GlossaryConcept(
                    code=concept.code,
                    kind=concept.kind,
                    label_en=concept.label_en,
                    label_zh=concept.label_zh,
                    terms_en="\n".join(concept.terms_en),
                    terms_zh="\n".join(concept.terms_zh),
                    updated_at=now,
                )
            )
            added += 1
    db.session.flush()
    return added


def save_concept(
    concept: GlossaryConcept | None,
    *,
    code: str,
    kind: str,
    label_en: str,
    label_zh: str,
    terms_en: str,
    terms_zh: str,
    now: datetime | None = None,
) -> GlossaryConcept:
    """Create (concept=None) or change a glossary concept. A term may belong to one concept only."""
    now = now or utcnow()
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise ReviewError(_l("Use capital letters, digits and _ (for example CERT_EXPIRED)."), "code")
    if kind not in KINDS:
        raise ReviewError(_l("Choose a kind."), "kind")
    for field, value in (("label_en", label_en), ("label_zh", label_zh)):
        if not (value or "").strip():
            raise ReviewError(_l("Give the concept a name in both languages."), field)
    taken = db.session.scalar(sa.select(GlossaryConcept).where(GlossaryConcept.code == code))
    if taken is not None and taken is not concept:
        raise ReviewError(_l("Another concept already has this code."), "code")
    lists = {"terms_en": _clean_terms(terms_en, "terms_en"), "terms_zh": _clean_terms(terms_zh, "terms_zh")}
    _check_terms_free(concept, lists)
    if concept is None:
        concept = GlossaryConcept()
        db.session.add(concept)
    concept.code, concept.kind = code, kind
    concept.label_en, concept.label_zh = label_en.strip()[:100], label_zh.strip()[:100]
    concept.terms_en, concept.terms_zh = "\n".join(lists["terms_en"]), "\n".join(lists["terms_zh"])
    concept.updated_at = now
    db.session.flush()
    return concept


def delete_concept(concept: GlossaryConcept) -> None:
    db.session.delete(concept)
    db.session.flush()


def _clean_terms(value: str, field: str) -> list[str]:
    terms = []
    for line in (value or "").replace("|", "\n").replace(",", "\n").replace("，", "\n").splitlines():
        term = " ".join(line.split())
        if term and term not in terms:
            if len(term) > TERM_MAX:
                raise ReviewError(_l("A term is at most %(max)s characters.", max=TERM_MAX), field)
            terms.append(term)
    return terms


def _check_terms_free(concept: GlossaryConcept | None, lists: dict[str, list[str]]) -> None:
    """Refuse a term another concept already has: one phrase cannot mean two things to detection."""
    others = db.session.scalars(
        sa.select(GlossaryConcept).where(GlossaryConcept.id != (concept.id if concept else -1))
    )
    used = {}
    for other in others:
        for term in (*other.terms_en_list, *other.terms_zh_list):
            used[textmod.canonical(term).strip()] = other.code
    for field, terms in lists.items():
        for term in terms:
            key = textmod.canonical(term).strip()
            if not key:
                raise ReviewError(
                    _l(
                        "“%(term)s” is only a code or a version number; codes are matched on their own.",
                        term=term,
                    ),
                    field,
                )
            if key in used:
                raise ReviewError(
                    _l("“%(term)s” already belongs to %(code)s.", term=term, code=used[key]), field
                )
