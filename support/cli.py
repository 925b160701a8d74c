"""`flask demo seed`: demo organisations, people and tickets for a first look."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core import mail
from core.extensions import db
from support import demo

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (but still show the logins) when accounts exist.")
def seed(if_empty: bool) -> None:
    """Load three customer companies, their people, three engineers, an admin and a month of tickets."""
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
        db.session.commit()
        click.echo(
            f"Loaded {counts['organisations']} organisations, {counts['users']} people "
            f"and {counts['tickets']} tickets."
        )
    _print_logins()


def _print_logins() -> None:
    rows = [("role", "email", "password", "organisation"), *demo.demo_logins()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo(f"\nOpen {current_app.config['BASE_URL']} and sign in as:\n")
    for row in rows:
        click.echo(("  " + "  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3]).rstrip())
