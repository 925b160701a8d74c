"""What changed between two revisions, line by line, with the changed characters marked inside a line.

Character-level marking matters for Chinese, where a paragraph is one long line without spaces.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass
class Line:
    kind: str  # equal | insert | delete
    old_number: int | None
    new_number: int | None
    html: Markup


def _marked(old: str, new: str) -> tuple[Markup, Markup]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(old[i1:i2]))
            right.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(Markup("<del>%s</del>") % old[i1:i2])
        if j2 > j1:
            right.append(Markup("<ins>%s</ins>") % new[j1:j2])
    return Markup("").join(left), Markup("").join(right)


def lines(old: str, new: str) -> list[Line]:
    """The lines of `new` against `old`: unchanged, removed and added, in reading order."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    out: list[Line] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(
                Line("equal", i + 1, j + 1, escape(a[i]))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        removed, added = list(range(i1, i2)), list(range(j1, j2))
        paired = min(len(removed), len(added)) if op == "replace" else 0
        marks = [_marked(a[removed[k]], b[added[k]]) for k in range(paired)]
        for k, i in enumerate(removed):
            out.append(Line("delete", i + 1, None, marks[k][0] if k < paired else escape(a[i])))
        for k, j in enumerate(added):
            out.append(Line("insert", None, j + 1, marks[k][1] if k < paired else escape(b[j])))
    return out


def changed_fields(old, new, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(field, old value, new value) for the short fields that differ between two revisions."""
    return [
        (n, str(getattr(old, n) or ""), str(getattr(new, n) or ""))
        for n in names
        if getattr(old, n) != getattr(new, n)
    ]
