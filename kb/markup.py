"""Article Markdown to safe HTML (markdown-it-py, CommonMark) and to plain text for the search index.

Editors may write raw HTML in Markdown (a <kbd>, a <details>); everything goes through nh3 with an
allow-list, so script, iframe, event attributes, style and javascript: links come out inert.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s",
    "samp", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render(markdown: str) -> str:
    """Markdown as HTML that is safe to show on our pages."""
    return nh3.clean(
        _markdown.render(markdown or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(rendered_html: str) -> str:
    """The readable text of rendered HTML: what the search index and snippets work on."""
    text = html.unescape(nh3.clean(rendered_html, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
