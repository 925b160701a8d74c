"""Commands for accounts and the job runner: `flask users create`, `flask tokens create`, `flask jobs run`."""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import backup, jobs, services
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
    """Run the scheduler in the foreground (one per deployment: a second one stands by)."""
    app = current_app._get_current_object()
    table = jobs.collect(app.config["JOB_MODULES"])
    click.echo("jobs: " + ", ".join(job.id for job in table))
    # SIGTERM (systemd, `kill`, make's trap) ends it like Ctrl-C: jobs under way finish, the lock is freed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        jobs.run_scheduler(app, table, say=click.echo)


@jobs_cli.command("list")
def list_jobs() -> None:
    """Show the registered jobs."""
    for job in jobs.collect(current_app.config["JOB_MODULES"]):
        click.echo(f"{job.id}\t{job.trigger} {job.trigger_args}\t{job.description}")


backup_cli = AppGroup("backup", help="Back up and restore the database and the attachment files.")


@backup_cli.command("create")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="A new or empty folder (default: instance/backups/<UTC time>).",
)
def create_backup(folder: Path | None) -> None:
    """Back up the database and the attachment files into one folder, with a manifest."""
    folder = folder or backup.default_folder()
    try:
        manifest = backup.create(folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_backup_summary(manifest))
    click.echo(f"backup written to {folder}")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds tables.")
@click.pass_context
def restore_backup(ctx: click.Context, folder: Path, force: bool) -> None:
    """Restore a backup made by `backup create` (stop the app first), then rebuild the search index."""
    try:
        manifest = backup.restore(folder, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_backup_summary(manifest))
    for group_name, command_name in backup.REBUILD_COMMANDS:
        # Found by name: core imports no feature package, but their commands are on the app.
        group = current_app.cli.get_command(ctx, group_name)
        ctx.invoke(group.get_command(ctx, command_name))
    click.echo(f"restored from {folder}")


def _backup_summary(manifest: dict) -> str:
    files = manifest["attachment_files"]
    counts = ", ".join(f"{count} {table}" for table, count in manifest["counts"].items())
    return f"{counts}; {files['count']} attachment files ({files['bytes'] / 1048576:.1f} MB)"
