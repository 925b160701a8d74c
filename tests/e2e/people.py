"""Shared steps and checks of the browser tests: people with unique addresses, signing in, a second
browser, and what language a page's interface speaks."""

from __future__ import annotations

import re
import uuid

from core.extensions import db
from tests.factories import make_engineer, make_org, make_user

PASSWORD = "correct horse"


def customer_and_engineer(seed, *, tier: str = "standard") -> tuple[str, str]:
    """A customer of a new organisation and an engineer, both unique to the calling test."""
    tag = uuid.uuid4().hex[:8]

    def make():
        org = make_org(f"E2E {tag}", tier=tier)
        customer = make_user(f"customer-{tag}@e2e.example", org=org, password=PASSWORD)
        engineer = make_engineer(email=f"engineer-{tag}@aftercare.example", password=PASSWORD)
        return customer.email, engineer.email

    return seed(make)


def sign_in(page, email: str, next_path: str | None = None) -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    # The form's own button, whatever language the page is in.
    page.locator("form:has(#password) [type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def new_page(browser, live_server, **options):
    """A page in a browser context of its own: another person, with other cookies."""
    options = {"locale": "en-US", "timezone_id": "Asia/Shanghai", **options}
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    return context.new_page()


# -- the language of the interface -----------------------------------------------------------------

# Every piece of text a page shows or reads out: text nodes (hidden blocks and closed menus too: they
# open with a click), then placeholders, labels for screen readers, tooltips and input buttons.
# Left out: what people typed into inputs and text areas, and anything marked as being in another
# language, such as the language switcher's own name.
_INTERFACE_TEXT_JS = """() => {
  const pageLang = (document.documentElement.lang || "").split("-")[0];
  const skipped = (el) =>
    el.closest("script, style, noscript, template, textarea, [data-testid='language-switch']") ||
    ((el.closest("[lang]") || document.documentElement).lang || "").split("-")[0] !== pageLang;
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.trim() && !skipped(node.parentElement)) texts.push(node.data.trim());
  }
  const attributes = ["placeholder", "aria-label", "title", "alt"];
  for (const el of document.body.querySelectorAll("[placeholder], [aria-label], [title], [alt], input")) {
    if (skipped(el)) continue;
    for (const name of attributes) if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type) && el.value) texts.push(el.value);
  }
  return texts;
}"""

# Latin words that belong in a Chinese interface: the product's name, abbreviations, units, key names.
LATIN_IN_CHINESE = frozenset(
    "Aftercare SLA KB API CSV URL ID kB MB GB Markdown Enter Esc Tab Ctrl Shift Alt GMT UTC".split()  # noqa: SIM905
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Han characters and the punctuation only Chinese text uses (full-width forms, 、。「」 and the like).
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def user_content() -> list[str]:
    """Everything people typed or named that a page may show: it may be in any language."""
    from core.models import Organisation, Team, User
    from kb.models import Article
    from sla.models import Calendar, SlaPolicy
    from support.models import Attachment, Message, Ticket

    texts: list[str] = []
    for columns in (
        (User.name, User.email),
        (Organisation.name,),
        (Team.name,),
        (Ticket.subject, Ticket.product, Ticket.component),
        (Message.body,),
        (Attachment.filename,),
        (Article.title, Article.product),
        (SlaPolicy.name,),
        (Calendar.name,),
    ):
        for row in db.session.execute(db.select(*columns)):
            texts.extend(str(value) for value in row if value)
    for (details,) in db.session.execute(db.select(Ticket.details)):
        texts.extend(str(value) for value in (details or {}).values())
    return texts


def interface_text(page, content: list[str]) -> list[str]:
    """The page's own words: its text less emails, addresses and `content` (names, subjects...)."""
    # Longest first, so a subject goes whole before a product name inside it is taken out.
    known = sorted({s.strip() for s in content if s and s.strip()}, key=len, reverse=True)
    texts = []
    for text in page.evaluate(_INTERFACE_TEXT_JS):
        for typed in known:
            text = text.replace(typed, " ")
        text = _URL.sub(" ", _EMAIL.sub(" ", text)).strip()
        if text:
            texts.append(text)
    return texts


def foreign_texts(texts: list[str], locale: str) -> list[str]:
    """The texts holding words of the other language: English on a Chinese page, Chinese on an English one."""
    if locale == "zh_Hans":
        return [t for t in texts if any(w not in LATIN_IN_CHINESE for w in _LATIN_WORD.findall(t))]
    return [t for t in texts if _CHINESE.search(t)]
