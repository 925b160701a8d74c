"""`flask kb reindex`: rebuild the search index (of the configured backend) from the database."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from kb import indexing

kb_cli = AppGroup("kb", help="The knowledge base.")


@kb_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the published articles; searches keep working meanwhile."""
    began = time.perf_counter()
    count = indexing.rebuild_all()
    seconds = time.perf_counter() - began
    rate = count / seconds if seconds else 0.0
    name = indexing.backend().name
    click.echo(f"indexed {count} articles in {seconds:.1f} s ({rate:.0f} articles/s, {name} backend)")
