"""The application factory: config, extensions, blueprints, listeners, CLI groups.

No scheduler starts and no database work happens here: `flask jobs run` runs the jobs, `flask db upgrade`
makes the schema.
"""

from __future__ import annotations

from flask import Flask, redirect, url_for
from flask_login import current_user

from core import errors, i18n, routing, security
from core.config import load_config
from core.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from support import labels

# Every package's periodic jobs, in the order the runner registers them.
JOB_MODULES = ("support.jobs",)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config["JOB_MODULES"] = JOB_MODULES
    load_config(app, config)
    register_extensions(app)
    routing.register(app)  # before the blueprints, whose rules use the converters
    register_blueprints(app)
    errors.register(app)
    security.register(app)
    i18n.register(app)
    labels.register(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import core.auth  # noqa: F401  (registers the user loader)
    import core.models  # noqa: F401  (every model on the metadata, for Alembic)
    import support.models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    api.init_app(app)


def register_blueprints(app: Flask) -> None:
    from core.views import admin, auth
    from support import api as support_api
    from support.views import attachments, portal, queue

    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(attachments.bp)
    api.register_blueprint(support_api.blp)
    # The API authenticates with bearer tokens, not cookies, so CSRF does not apply to it.
    csrf.exempt(support_api.blp)

    @app.get("/")
    def index():
        if current_user.is_authenticated and current_user.is_staff:
            return redirect(url_for("queue.index"))
        return redirect(url_for("portal.index"))


def register_commands(app: Flask) -> None:
    from core.cli import jobs_cli, tokens_cli, users_cli
    from support.cli import demo_cli
    from support.mail.cli import mail_cli

    for group in (users_cli, tokens_cli, jobs_cli, demo_cli, mail_cli):
        app.cli.add_command(group)
