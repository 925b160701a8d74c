"""The compliance report: met versus breached per target, grouped four ways, as a table, a chart and CSV."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from core.extensions import db
from sla import reports
from support import services as tickets
from tests.factories import make_engineer, make_org, make_ticket, make_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 17:00 in Shanghai; first responses take 4 h


@pytest.fixture
def desk():
    engineer = make_engineer()
    acme, evil = make_org("Acme"), make_org("=HYPERLINK(1)")
    on_time = make_ticket(make_user(org=acme), now=NOW)
    late = make_ticket(make_user(org=acme), priority="high", now=NOW)
    october = make_ticket(make_user(org=evil), now=NOW - timedelta(days=40))
    tickets.add_message(on_time, author=engineer, body="Hi", now=NOW + timedelta(minutes=30))
    tickets.add_message(late, author=engineer, body="Sorry", now=NOW + timedelta(days=2))
    tickets.add_message(october, author=engineer, body="Hi", now=NOW - timedelta(days=40, minutes=-5))
    db.session.commit()
    return {"engineer": engineer, "on_time": on_time, "late": late}


def test_rows_count_met_and_breached_per_month_policy_priority_organisation_and_target(desk):
    rows = reports.compliance_rows(date(2026, 10, 1), date(2026, 12, 1), target="first_response")
    found = {(r.month, r.policy, r.priority, r.organisation): (r.met, r.breached) for r in rows}
    assert found == {
        ("2026-10", "Standard", "normal", "=HYPERLINK(1)"): (1, 0),
        ("2026-11", "High priority", "high", "Acme"): (0, 1),
        ("2026-11", "Standard", "normal", "Acme"): (1, 0),
    }
    by_month = reports.summarise(rows, "month", target="first_response")
    assert by_month.groups == ["2026-10", "2026-11"]
    assert by_month.cell("2026-11", "first_response").percent == 50
    assert reports.compliance_rows(date(2026, 12, 1), date(2027, 1, 1)) == []


def test_the_report_page_shows_the_table_and_hands_the_chart_its_data(login, desk):
    response = login(desk["engineer"]).get(
        "/reports", query_string={"by": "priority", "target": "first_response"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = re.findall(r'<tr data-group="([^"]+)">(.*?)</tr>', page, re.S)
    cells = {group: re.findall(r"<td>([^<]*)</td>", body) for group, body in rows}
    assert cells == {"high": ["0", "1", "0%"], "normal": ["2", "0", "100%"]}
    chart = json.loads(html.unescape(re.search(r'data-chart="([^"]+)"', page).group(1)))
    assert chart["data"]["labels"] == ["High", "Normal"]
    assert [d["data"] for d in chart["data"]["datasets"]] == [[0, 2], [1, 0]]
    assert "vendor/chart-4.6.1.umd.js" in page and "<script>" not in page


def test_the_csv_has_one_line_per_group_and_target_and_is_safe_in_a_spreadsheet(login, desk):
    response = login(desk["engineer"]).get(
        "/reports/sla.csv", query_string={"start": "2026-10", "end": "2026-11"}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="sla-compliance-2026-10-to-2026-11.csv"' in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["month", "policy", "priority", "organisation", "target", "met", "breached"]
    assert ["2026-11", "High priority", "high", "Acme", "first_response", "0", "1"] in lines
    assert ["2026-10", "Standard", "normal", "'=HYPERLINK(1)", "first_response", "1", "0"] in lines


def test_the_report_is_for_staff_and_refuses_bad_filters(client, login, desk):
    assert client.get("/reports").status_code == 302
    assert login(make_user()).get("/reports").status_code == 403
    staff = login(desk["engineer"])
    assert staff.get("/reports", query_string={"start": "2026-13"}).status_code == 400
    response = staff.get("/reports", query_string={"start": "2026-11", "end": "2026-10"})
    assert response.status_code == 400 and "The end comes before the start." in response.get_data(
        as_text=True
    )
    assert staff.get("/reports/sla.csv", query_string={"by": "colour"}).status_code == 400


def test_an_empty_period_says_so(login, desk):
    response = login(desk["engineer"]).get("/reports", query_string={"start": "2025-01", "end": "2025-02"})
    assert response.status_code == 200 and "No SLA target was met or breached" in response.get_data(
        as_text=True
    )
