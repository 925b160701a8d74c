"""The schema exists only through migrations: one head, and the models match what they build."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.extensions import db


def test_one_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_migrations(app):
    # The session fixture built the schema with `upgrade()`; autogenerate must find nothing to add.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    """Each revision works in both directions (on a scratch database, not the suite's)."""
    from flask_migrate import downgrade, upgrade

    from app import create_app

    scratch = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "SECRET_KEY": "x"}
    )
    with scratch.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []
