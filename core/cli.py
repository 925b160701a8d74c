"""Commands for accounts and the job runner: `flask users create`, `flask tokens create`, `flask jobs run`."""

from __future__ import annotations

import contextlib

import click
from flask import current_app
from flask.cli import AppGroup

from core import jobs, services
from core.extensions import db
from core.models import Role, User

users_cli = AppGroup("users", help="Manage accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
jobs_cli = AppGroup("jobs", help="Run the periodic jobs.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.customer.value)
@click.option("--org", "org_name", help="Organisation name; created when it does not exist yet.")
@click.option("--name", default="", help="Display name.")
@click.option("--password", help="A password that works at /login.")
def create_user(email: str, role: str, org_name: str | None, name: str, password: str | None) -> None:
    """Create an account."""
    org = services.get_or_create_organisation(org_name) if org_name else None
    try:
        user = services.create_user(email, role=role, name=name, organisation=org, password=password)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.role} {user.email}" + (f" in {org.name}" if org else ""))


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="cli")
def create_token(email: str, label: str) -> None:
    """Create an API token for EMAIL and print it (the last word of the last line)."""
    user = db.session.scalar(db.select(User).where(User.email == services.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    token = services.create_api_token(user, label=label)
    db.session.commit()
    click.echo(f"token for {user.email}: {token}")


@jobs_cli.command("run")
def run_jobs() -> None:
    """Run the scheduler in the foreground (one process per deployment)."""
    app = current_app._get_current_object()
    table = jobs.collect(app.config["JOB_MODULES"])
    scheduler = jobs.build_scheduler(app, table)
    click.echo("jobs: " + ", ".join(job.id for job in table))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@jobs_cli.command("list")
def list_jobs() -> None:
    """Show the registered jobs."""
    for job in jobs.collect(current_app.config["JOB_MODULES"]):
        click.echo(f"{job.id}\t{job.trigger} {job.trigger_args}\t{job.description}")
