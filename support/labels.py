"""Translated names of kinds, priorities and statuses, for templates and forms."""

from flask_babel import lazy_gettext as _l

from core.forms import TIER_LABELS

KIND_LABELS = {
    "incident": _l("Fault / incident"),
    "question": _l("Question"),
    "maintenance": _l("Maintenance request"),
    "upgrade": _l("Upgrade request"),
}
PRIORITY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
STATUS_LABELS = {
    "new": _l("New"),
    "open": _l("Open"),
    "pending": _l("Waiting on customer"),
    "on_hold": _l("On hold"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
DETAIL_LABELS = {
    "impact": _l("Impact"),
    "environment": _l("Environment"),
    "steps": _l("Steps to reproduce"),
    "preferred_window": _l("Preferred maintenance window"),
    "current_version": _l("Current version"),
    "target_version": _l("Target version"),
}

CHANNEL_LABELS = {"web": _l("Web portal"), "email": _l("Email"), "api": _l("API")}
# The ticket fields whose changes the history names ("changed the priority from ... to ...").
FIELD_LABELS = {
    "subject": _l("subject"),
    "kind": _l("kind"),
    "priority": _l("priority"),
    "product": _l("product"),
    "component": _l("component"),
}


def register(app) -> None:
    app.jinja_env.globals.update(
        kind_label=lambda k: KIND_LABELS.get(k, k),
        priority_label=lambda p: PRIORITY_LABELS.get(p, p),
        status_label=lambda s: STATUS_LABELS.get(s, s),
        detail_label=lambda d: DETAIL_LABELS.get(d, d),
        KIND_LABELS=KIND_LABELS,
        PRIORITY_LABELS=PRIORITY_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        TIER_LABELS=TIER_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        FIELD_LABELS=FIELD_LABELS,
    )
