"""`flask reviews detect` (recurring problems, as text or JSON) and `flask reviews glossary`."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup

from core.db import utcnow
from core.extensions import db
from reviews import glossary, queries

reviews_cli = AppGroup("reviews", help="Recurring problems, glossary and reviews.")


@reviews_cli.command("detect")
@click.option("--days", type=click.IntRange(1, 3660), help="The window (default REVIEWS_DETECT_DAYS).")
@click.option("--min-size", type=click.IntRange(2, 10_000), help="Tickets needed for a cluster.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document with every cluster.")
@click.option("--store", is_flag=True, help="Store the result for the recurring-problems page.")
def detect(days: int | None, min_size: int | None, as_json: bool, store: bool) -> None:
    """Group the window's tickets into recurring problems, largest first."""
    days = days or current_app.config["REVIEWS_DETECT_DAYS"]
    now = utcnow()
    began = time.perf_counter()
    views = queries.detect_recurring(days=days, now=now, min_size=min_size)
    seconds = time.perf_counter() - began
    if store:
        queries.run_detection(days=days, now=now)
        db.session.commit()
    if as_json:
        click.echo(json.dumps({"days": days, "clusters": [v.as_dict() for v in views]}, ensure_ascii=False))
        return
    click.echo(f"{len(views)} recurring problems in the last {days} days ({seconds:.1f} s)")
    for view in views:
        numbers = ", ".join(f"#{n}" for n in view.tickets[:12]) + (" ..." if view.size > 12 else "")
        known = f" [problem #{view.problem_id}]" if view.problem_id else ""
        click.echo(f"{view.size:>4}  {view.trend:<4}  {view.label}{known}\n      {numbers}")


@reviews_cli.command("glossary")
@click.option("--seed", is_flag=True, help="Add the default vocabulary's missing concepts.")
def glossary_command(seed: bool) -> None:
    """Show the glossary (or seed it with the default vocabulary)."""
    if seed:
        added = glossary.seed_defaults()
        db.session.commit()
        click.echo(f"added {added} concepts")
    for concept in glossary.stored_concepts():
        click.echo(f"{concept.code:<14} {concept.kind:<8} {concept.label_en} / {concept.label_zh}")
