"""What a rendered page says to a person, for the interface-language tests: its text and the attributes
that are read out or shown (placeholders, labels, tooltips), less times and anything marked as written
in another language (lang="..."), such as the language switcher's own name."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED = {"script", "style", "template", "textarea", "time", "title"}
READ_OUT = ("placeholder", "aria-label", "title", "alt")
# Latin words that belong in a Chinese interface: the product's name, abbreviations, key names.
LATIN_IN_CHINESE = frozenset(
    [
        "Aftercare",
        "SLA",
        "KB",
        "API",
        "CSV",
        "URL",
        "ID",
        "MB",
        "kB",
        "GB",
        "Markdown",
        "Enter",
        "Esc",
        "Tab",
        "Ctrl",
        "Shift",
        "Alt",
        "GMT",
        "UTC",
        "j",
        "k",
        "c",
        "r",
        "o",
        "x",
    ]
)
LATIN_WORD = re.compile(r"[A-Za-z]+")
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_lang = ""
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_lang = (attrs.get("lang") or "").split("-")[0]
            return
        lang = attrs.get("lang")
        skipped = (
            self._skipped()
            or tag in SKIPPED
            or (lang is not None and lang.split("-")[0] != self.page_lang)
            or attrs.get("data-testid") == "language-switch"
        )
        if not skipped:
            self.texts.extend(attrs[name] for name in READ_OUT if attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            self.texts.append(data.strip())


def interface_text(html: str, user_content=()) -> list[str]:
    """The page's own words: its text less email addresses and `user_content` (names, subjects...)."""
    reader = _Reader()
    reader.feed(html)
    known = sorted({s for s in user_content if s}, key=len, reverse=True)
    texts = []
    for text in reader.texts:
        for content in known:
            text = text.replace(content, " ")
        text = EMAIL.sub(" ", text).strip()
        if text:
            texts.append(text)
    return texts


def foreign_words(html: str, locale: str, user_content=()) -> list[str]:
    """English words left on a Chinese page, or Chinese on an English one, each with its context."""
    found = []
    for text in interface_text(html, user_content):
        if locale == "zh_Hans":
            words = [w for w in LATIN_WORD.findall(text) if w not in LATIN_IN_CHINESE]
        else:
            words = CHINESE.findall(text)
        found.extend(f"{word!r} in {text[:90]!r}" for word in words)
    return list(dict.fromkeys(found))
