"""Finding executable vectors in a rendered page (html.parser, as a browser tokenises it closely enough
for what we look for: elements and attributes that run script or leave the page)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).with_name("xss_corpus.txt")

# Elements content must never bring; our own templates use none of them.
FORBIDDEN = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "style", "portal",
    "noscript", "noembed", "noframes", "xmp", "plaintext",  # raw-text elements browsers parse differently
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
    "lowsrc", "dynsrc", "codebase", "ping", "srcset", "srcdoc",
}  # fmt: skip
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]+")
_DANGEROUS_SCHEME = re.compile(r"(^|,\s*|\s)(javascript|vbscript|data|livescript):", re.IGNORECASE)


def payloads() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in values.items())}>"[:160]
        if tag in FORBIDDEN:
            self.findings.append(f"forbidden element {where}")
        if tag == "script":
            self._in_script = True
            if not values.get("src", "").startswith("/static/"):
                self.findings.append(f"script that is not ours {where}")
        if tag == "link" and not (
            values.get("href", "").startswith("/static/") or values.get("href") == "data:,"
        ):
            self.findings.append(f"foreign link {where}")
        if tag == "meta" and "http-equiv" in values:
            self.findings.append(f"meta http-equiv {where}")
        if tag == "form" and not _local(values.get("action", "")):
            self.findings.append(f"form posting elsewhere {where}")
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(f"event handler {name} in {where}")
            elif name == "style":
                self.findings.append(f"style attribute in {where}")
            elif name in URL_ATTRIBUTES and (tag, name) != ("link", "href") and _runs(name, value):
                self.findings.append(f"{name} runs script or loads a document: {where}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.findings.append(f"inline script {data[:80]!r}")
        self.text.append(data)


def _runs(name: str, value: str) -> bool:
    # Browsers drop whitespace and control characters inside a scheme ("jav\tascript:").
    return name == "srcdoc" or bool(_DANGEROUS_SCHEME.search(_INVISIBLE.sub("", value)))


def _local(action: str) -> bool:
    return action == "" or (action.startswith("/") and not action.startswith(("//", "/\\")))


def scan(html: str) -> tuple[list[str], str]:
    """(what could run or leave the page, the page's visible text)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.findings, " ".join("".join(scanner.text).split())


def assert_inert(html: str, where: str) -> str:
    findings, text = scan(html)
    assert findings == [], f"{where}: {findings[:5]}"
    return text
