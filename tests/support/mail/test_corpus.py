"""The django-helpdesk fixtures in shared/corpus/email, with the expectations its README gives.

django-helpdesk's `description` maps onto our `body` when it keeps the full first message and onto
`reply` when it cuts the quoted original; its HTML-alternative attachment is our `html`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.mail.parse import parse_message, ticket_subject
from support.services import SUBJECT_MAX

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "email" / "django-helpdesk"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")


def parse(name: str):
    return parse_message((CORPUS / name).read_bytes())


def test_8bit_utf8_body_and_encoded_subject():
    mail = parse("all-special-chars.eml")
    assert mail.subject == "Testovácí email"
    assert mail.body == "íářčšáíéřášč"
    assert (mail.from_name, mail.from_email) == ("Timothy Hobbs", "timothy.hobbs@auto-mat.cz")
    assert mail.to == ["helpdesk@auto-mat.cz"]
    assert mail.attachments == [] and mail.html is None and mail.charset_problems == []


def test_blank_body_with_attachment_and_long_subject():
    mail = parse("blank-body-with-attachment.eml")
    assert len(mail.subject) == 222 and mail.subject.endswith("ooong subject")
    title = ticket_subject(mail.subject)
    assert title == mail.subject[:197] + "..." and len(title) == SUBJECT_MAX
    assert mail.body.strip() == "" and mail.reply == ""
    assert [(a.filename, a.content_type, a.data) for a in mail.attachments] == [
        ("baf", "text/plain", b"You shouldn't see this.\n")
    ]


def test_forwarded_original_is_in_body_but_not_in_reply():
    mail = parse("forwarded-message.eml")
    assert mail.subject == "Test with original message from GitHub"
    assert "This is email body" in mail.body and "Hello there!" in mail.body
    assert mail.reply == "This is email body"


def test_pgp_signed_message_is_unwrapped_and_signature_kept():
    mail = parse("pgp.eml")
    assert mail.subject == "example email that crashes django-helpdesk get_email"
    assert mail.body == (
        "hi, thanks for looking into this :)\n\n"
        "https://github.com/django-helpdesk/django-helpdesk/issues/567#issuecomment-342954233"
    )
    [signature] = mail.attachments
    assert (signature.filename, signature.content_type) == ("signature.asc", "application/pgp-signature")
    assert signature.data.startswith(b"-----BEGIN PGP SIGNATURE-----")
    assert signature.data.rstrip().endswith(b"-----END PGP SIGNATURE-----")
    assert mail.message_id == "8eef2077-8aff-9fb4-0e2a-9876ba2530b1@gmail.com"


def test_quoted_printable_with_soft_break_and_html_alternative():
    mail = parse("quoted_printable.eml")
    assert mail.subject == "Český test"
    assert mail.body == "Tohle je test českých písmen odeslaných z gmailu."
    # The HTML alternative is kept for display, its soft line break (odeslan=C3=BDc= / h) joined.
    assert "Tohle je test českých písmen odeslaných z gmailu.</div>" in mail.html
    assert mail.attachments == []


def test_split_encoded_words_and_text_only_in_the_html_alternative():
    mail = parse("utf-nondecodable.eml")
    assert mail.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    # The plain part is all forward; the HTML part says something else, and neither is lost.
    assert "prosazuje lepší" in mail.body and "Ahoj Johne" in mail.body
    assert "prosazuje lepší" in mail.reply and "Ahoj Johne" not in mail.reply
    assert "prosazuje lepší" in mail.html
    assert mail.in_reply_to == "CAK0Q_=uQY=3V5iUSgEN16GLtYoJ-6oQu-vYjsgQ=jv6DwOkuLQ@mail.gmail.com"
    assert mail.charset_problems == []


@pytest.mark.parametrize(
    "path", sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else [], ids=lambda p: p.name
)
def test_every_corpus_message_parses_cleanly(path):
    mail = parse_message(path.read_bytes())
    assert mail.subject and mail.from_email and mail.message_id and mail.date is not None
    assert not mail.auto_reply and not mail.bounce
