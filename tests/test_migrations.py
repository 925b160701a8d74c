"""The schema exists only through migrations: one head, and the models match what they build."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from core.extensions import db


def test_one_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_migrations(app):
    # The session fixture built the schema with `upgrade()`; autogenerate must find nothing to add.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrate_is_the_flask_migrate_extension(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
