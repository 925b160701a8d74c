"""HTML mail bodies: readable plain text for the body and search, sanitised HTML for display.

The text keeps what a reader needs and nothing a mail client hides: paragraphs and line breaks,
list bullets, table cells side by side, link targets, and `blockquote`s as `> ` lines so that the
reply separator treats quoted history in HTML mail exactly as in plain-text mail.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_BLOCKS = {
    "address", "article", "aside", "center", "dd", "details", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "main", "nav", "ol",
    "p", "section", "summary", "table", "ul",
}  # fmt: skip
_LINES = {"div", "tr", "li", "caption", "thead", "tbody", "tfoot"}
_HIDDEN = {"head", "script", "style", "template", "title", "object", "iframe", "svg"}
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u3000]+")

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"font", "center"}
_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "width", "height"})
_ATTRIBUTES.setdefault("*", set()).update({"dir"})
# cid: lets the display swap inline images for their attachments; everything else stays standard.
_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}


def sanitise(html: str) -> str:
    """HTML safe to show inside our pages: no scripts, styles, event handlers or foreign schemes."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ATTRIBUTES,
        clean_content_tags={"script", "style", "head", "title", "template"},
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def to_text(html: str) -> str:
    """The readable text of an HTML body."""
    converter = _TextConverter()
    try:
        converter.feed(html)
        converter.close()
    except Exception:  # html.parser has raised on malformed declarations in some versions
        return _fallback_text(html)
    return converter.text()


def _fallback_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>", "\n", text)
    text = re.sub(r"<[^>]*>", " ", text)
    lines = (" ".join(_SPACES.split(line)).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextConverter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.line_depth = 0
        self.depth = 0  # blockquote nesting
        self.pending = 0  # line breaks owed before the next text
        self.pending_depth = 0  # the quote depth of the blank lines among them
        self.hidden = 0
        self.pre = 0
        self.links: list[tuple[str | None, list[str]]] = []  # href and the text shown for it
        self.lists: list[int | None] = []  # None for <ul>, a counter for <ol>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self._end_line()
        elif tag == "blockquote":
            self._break(2)
            self.depth += 1
        elif tag == "pre":
            self._break(2)
            self.pre += 1
        elif tag in ("ul", "ol"):
            self._break(1)
            self.lists.append(None if tag == "ul" else 0)
        elif tag == "li":
            self._break(1)
            marker = "- "
            if self.lists and self.lists[-1] is not None:
                self.lists[-1] += 1
                marker = f"{self.lists[-1]}. "
            self._write(marker)
        elif tag in ("td", "th"):
            if self.line and not self.pending:
                self._write("\t")
        elif tag == "hr":
            self._break(1)
            self._write("----------")
            self._break(1)
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), []))
        elif tag in _BLOCKS:
            self._break(2)
        elif tag in _LINES:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote":
            self._break(2)
            self.depth = max(0, self.depth - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break(1)
        elif tag == "a" and self.links:
            href, shown = self.links.pop()
            label = "".join(shown).strip()
            if href and href.startswith(("http://", "https://")) and label and label != href:
                self._write(f" <{href}>")
        elif tag in _BLOCKS:
            self._break(2)
        elif tag in _LINES:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            for number, piece in enumerate(data.replace("\r\n", "\n").split("\n")):
                if number:
                    self._end_line()
                if piece:
                    self._write(piece)
            return
        text = _SPACES.sub(" ", data)
        for _href, shown in self.links:
            shown.append(text)
        if not self.line and not self.pending:
            text = text.lstrip()
        if text.strip() or (self.line and text):
            self._write(text)

    def _break(self, count: int) -> None:
        if self.line or self.lines:
            self.pending_depth = min(self.pending_depth, self.depth) if self.pending else self.depth
            self.pending = max(self.pending, count)

    def _write(self, text: str) -> None:
        if self.pending:
            if self.line:
                self._end_line()
            for _ in range(self.pending - 1):
                self.lines.append("> " * self.pending_depth)
            self.pending = 0
            if not self.pre:
                text = text.lstrip(" ")
        if not self.line:
            self.line_depth = self.depth
        self.line.append(text)

    def _end_line(self) -> None:
        depth = self.line_depth if self.line else self.depth
        content = "".join(self.line).rstrip()
        self.lines.append(("> " * depth + content).rstrip() if depth else content)
        self.line = []

    def text(self) -> str:
        if self.line:
            self._end_line()
        text = "\n".join(self.lines)
        return re.sub(r"\n(?:[ >]*\n){2,}", "\n\n", text).strip("\n").rstrip()
