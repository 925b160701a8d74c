"""Admin pages for mail: the inbound log, the quarantine, one mail in detail, the outbox."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer

from core.auth import role_required
from core.extensions import db
from core.mail import requeue
from core.mail_models import OutboundMail, OutboxStatus
from support.mail.cli import summary
from support.mail.ingest import reprocess
from support.mail.models import InboundMail, Outcome
from support.mail.parse import parse_message

bp = Blueprint("mail_admin", __name__, url_prefix="/admin/mail")

PAGE_SIZE = 50
OUTCOME_LABELS = {
    Outcome.created: _l("New ticket"),
    Outcome.appended: _l("Added to a ticket"),
    Outcome.duplicate: _l("Duplicate"),
    Outcome.ignored: _l("Ignored"),
    Outcome.quarantined: _l("Quarantined"),
}
REASON_LABELS = {
    "own_mail": _l("Our own mail came back"),
    "auto_reply": _l("Auto-reply"),
    "bounce": _l("Bounce"),
    "no_sender": _l("No sender address"),
    "inactive_sender": _l("Sender's account is inactive"),
    "unknown_sender": _l("Unknown sender"),
    "rate_limited": _l("Too many mails from this sender"),
    "error": _l("Could not be filed"),
}
OUTBOX_LABELS = {
    OutboxStatus.queued: _l("Queued"),
    OutboxStatus.sending: _l("Sending"),
    OutboxStatus.sent: _l("Sent"),
    OutboxStatus.failed: _l("Failed"),
}
# Only mail that did not become part of a ticket can be filed again.
REFILABLE = (Outcome.quarantined, Outcome.ignored)


@bp.before_request
@role_required("admin")
def _admins_only():
    """Every page here is for admins."""


@bp.context_processor
def _labels():
    quarantined = db.session.scalar(
        sa.select(sa.func.count(InboundMail.id)).where(InboundMail.outcome == Outcome.quarantined)
    )
    return {
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "REASON_LABELS": REASON_LABELS,
        "OUTBOX_LABELS": OUTBOX_LABELS,
        "REFILABLE": REFILABLE,
        "quarantined_count": quarantined,
    }


@bp.get("")
def inbound():
    outcome = request.args.get("outcome", "")
    return _log("mail_admin/inbound.html", outcome if outcome in OUTCOME_LABELS else None)


@bp.get("/quarantine")
def quarantine():
    return _log("mail_admin/quarantine.html", Outcome.quarantined)


def _log(template: str, outcome: str | None):
    query = sa.select(InboundMail).options(defer(InboundMail.raw)).order_by(InboundMail.id.desc())
    if outcome:
        query = query.where(InboundMail.outcome == outcome)
    if text := request.args.get("q", "").strip()[:200]:
        query = query.where(
            sa.or_(
                InboundMail.from_email.contains(text.lower(), autoescape=True),
                InboundMail.subject.contains(text, autoescape=True),
            )
        )
    before = request.args.get("before", type=int)
    if before:
        query = query.where(InboundMail.id < before)
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template(template, mails=rows[:PAGE_SIZE], outcome=outcome, q=text, more=more)


@bp.get("/<int:inbound_id>")
def detail(inbound_id: int):
    row = db.get_or_404(InboundMail, inbound_id)
    parsed = summary(f"#{row.id}", parse_message(row.raw))
    return render_template("mail_admin/detail.html", mail=row, parsed=parsed)


@bp.get("/<int:inbound_id>/raw")
def raw(inbound_id: int):
    row = db.get_or_404(InboundMail, inbound_id)
    # A download with a neutral type: the original must never render in our origin.
    return send_file(
        io.BytesIO(row.raw),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=f"inbound-{row.id}.eml",
        max_age=0,
    )


@bp.post("/<int:inbound_id>/reprocess")
def reprocess_mail(inbound_id: int):
    return _refile(inbound_id, force_ticket=False)


@bp.post("/<int:inbound_id>/ticket")
def create_ticket(inbound_id: int):
    return _refile(inbound_id, force_ticket=True)


def _refile(inbound_id: int, *, force_ticket: bool):
    row = db.get_or_404(InboundMail, inbound_id)
    if row.outcome not in REFILABLE or row.dedupe_key is None:
        abort(409)
    result = reprocess(row, force_ticket=force_ticket)
    db.session.commit()
    if result.ticket:
        flash(_("Filed on ticket #%(number)s.", number=result.ticket), "success")
    else:
        reason = REASON_LABELS.get(result.reason, result.reason)
        flash(_("Still not filed: %(reason)s.", reason=reason), "warning")
    return redirect(url_for(".detail", inbound_id=row.id), code=303)


@bp.get("/outbox")
def outbox():
    status = request.args.get("status", "")
    query = (
        sa.select(OutboundMail)
        .options(defer(OutboundMail.raw))
        .order_by(OutboundMail.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if status in OUTBOX_LABELS:
        query = query.where(OutboundMail.status == status)
    before = request.args.get("before", type=int)
    if before:
        query = query.where(OutboundMail.id < before)
    rows = db.session.scalars(query).all()
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template("mail_admin/outbox.html", mails=rows[:PAGE_SIZE], status=status, more=more)


@bp.post("/outbox/<int:mail_id>/retry")
def retry(mail_id: int):
    row = db.get_or_404(OutboundMail, mail_id)
    if row.status != OutboxStatus.failed:
        abort(409)
    requeue(row)
    db.session.commit()
    flash(_("The mail to %(email)s will be sent again.", email=row.recipient), "success")
    return redirect(url_for(".outbox"), code=303)
