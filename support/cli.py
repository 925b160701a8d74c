"""`flask demo seed`: demo organisations, people and tickets for a first look."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core import mail
from core.extensions import db
from kb import indexing
from support import demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (but still show the logins) when accounts exist.")
def seed(if_empty: bool) -> None:
    """Load three customer companies, their people, three engineers, an admin, a month of tickets and
    the knowledge base, and build its search index."""
    if demo.has_data():
        if not if_empty:
            raise click.ClickException(
                "The database already holds accounts; the demo is only loaded into an empty one. "
                "Use --if-empty to skip quietly."
            )
        if not demo.demo_present():
            click.echo("The database already holds accounts that are not the demo's; nothing was added.")
            return
        click.echo("The demo data is already loaded; nothing was added.")
    else:
        try:
            with mail.muted():  # no package may mail the made-up people of the demo
                counts = demo.seed()
        except Exception:
            db.session.rollback()
            raise
        _commit_and_index()
        click.echo(
            f"Loaded {counts['organisations']} organisations, {counts['users']} people, "
            f"{counts['tickets']} tickets and {counts['articles']} knowledge-base articles."
        )
    _print_logins()


def _commit_and_index() -> None:
    """Commit, then build the search index here and now: the first search must find the articles."""
    config = current_app.config
    background = config.get("KB_INDEX_IN_BACKGROUND", True)
    # An indexing thread woken by the commit would race the rebuild below for Whoosh's lock and be
    # killed mid-write when the command exits.
    config["KB_INDEX_IN_BACKGROUND"] = False
    try:
        db.session.commit()
        try:
            indexing.rebuild_all()
        except Exception as exc:  # the data is in; the indexing job rebuilds a missing index later
            db.session.rollback()
            click.echo(
                f"The search index could not be built ({exc}); `flask kb reindex` builds it.", err=True
            )
    finally:
        config["KB_INDEX_IN_BACKGROUND"] = background


def _print_logins() -> None:
    rows = [("role", "email", "password", "organisation"), *demo.demo_logins()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo(f"\nOpen {current_app.config['BASE_URL']} and sign in as:\n")
    for row in rows:
        click.echo(("  " + "  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3]).rstrip())
