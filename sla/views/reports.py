"""The SLA compliance report (`/reports`) and its CSV download. Staff only."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from core.auth import role_required
from core.db import utcnow
from sla import reports
from sla.forms import BY_LABELS, ReportForm, month_after
from sla.labels import OUTCOME_LABELS, TARGET_LABELS
from support.labels import PRIORITY_LABELS

bp = Blueprint("reports", __name__, url_prefix="/reports")
DEFAULT_MONTHS = 6


@bp.before_request
@role_required("staff")
def _staff_only():
    """Team leads and admins use it; every engineer may read it."""


def _period(form: ReportForm) -> tuple[date, date]:
    """[first day of the start month, first day after the end month)."""
    today = utcnow().date()
    end = form.end.data or today
    start = form.start.data
    if start is None:
        start = end.replace(day=1)
        for _month in range(DEFAULT_MONTHS - 1):
            start = (start.replace(day=1) - date.resolution).replace(day=1)
    return start.replace(day=1), month_after(end)


@bp.get("")
def index():
    form = ReportForm(formdata=request.args)
    if not form.validate():
        return render_template("sla/report.html", form=form, summary=None), 400
    start, end = _period(form)
    # The month fields show the period the figures are for, also when it is the default one.
    form.start.data, form.end.data = start, end - date.resolution
    target = form.target.data or None
    rows = reports.compliance_rows(start, end, target=target)
    summary = reports.summarise(rows, form.by.data or "month", target=target)
    labels = dict(PRIORITY_LABELS) if summary.by == "priority" else {}
    chart = reports.chart(
        summary,
        {k: str(v) for k, v in labels.items()} | {"": _("(none)")},
        {key: str(label) for key, label in OUTCOME_LABELS.items()},
    )
    return render_template(
        "sla/report.html",
        form=form,
        summary=summary,
        start=start,
        end=end,
        chart_json=json.dumps(chart, ensure_ascii=False),
        csv_args={k: v for k, v in request.args.items() if k != "by"},
        BY_LABELS=BY_LABELS,
        TARGET_LABELS=TARGET_LABELS,
    )


@bp.get("/sla.csv")
def csv():
    form = ReportForm(formdata=request.args)
    if not form.validate():
        return Response(_("The report's filters are not valid.") + "\n", 400, mimetype="text/plain")
    start, end = _period(form)
    rows = reports.compliance_rows(start, end, target=form.target.data or None)
    last = end - date.resolution
    name = f"sla-compliance-{start:%Y-%m}-to-{last:%Y-%m}.csv"
    return Response(
        # A byte-order mark, so spreadsheet programs read the Chinese names as UTF-8.
        "\ufeff" + reports.csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
