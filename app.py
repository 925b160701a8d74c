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
JOB_MODULES = ("support.jobs", "kb.jobs", "sla.jobs", "support.mail.jobs", "reviews.jobs")


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
    if app.config["KB_WARM_UP"] and not app.testing:
        # jieba's dictionary loads once per process, here at start, rather than in somebody's first search.
        from kb import search

        search.warm_up()
    return app


def register_extensions(app: Flask) -> None:
    import core.auth  # noqa: F401  (registers the user loader)
    import core.mail_models  # noqa: F401
    import core.models  # noqa: F401  (every model on the metadata, for Alembic)
    import kb.models  # noqa: F401
    import kb.search.pg_tables  # noqa: F401  (the PostgreSQL search backend's tables)
    import reviews.models  # noqa: F401
    import sla.models  # noqa: F401
    import support.links  # noqa: F401  (TicketArticle)
    import support.mail.models  # noqa: F401
    import support.models  # noqa: F401
    from reviews import listeners as review_listeners
    from reviews import settings as review_settings
    from sla import listeners as sla_listeners
    from support.mail import notify as mail_notify

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    api.init_app(app)
    sla_listeners.connect()  # SLA state follows every ticket change, in the same transaction
    mail_notify.connect()  # customers hear about their tickets by mail, through the outbox
    review_settings.register(app)
    review_listeners.connect()  # surveys when tickets are resolved, known errors offered on new tickets


def register_blueprints(app: Flask) -> None:
    from core.views import admin, auth
    from kb import api as kb_api
    from kb.views import editor as kb_editor
    from kb.views import public as kb_public
    from kb.views import reports as kb_reports
    from kb.views import tickets as kb_tickets
    from reviews import api as reviews_api
    from reviews.views import glossary as review_glossary
    from reviews.views import meetings as review_meetings
    from reviews.views import problems as review_problems
    from reviews.views import surveys as review_surveys
    from sla import api as sla_api
    from sla.views import admin as sla_admin
    from sla.views import reports as sla_reports
    from sla.views import tickets as sla_tickets
    from support import api as support_api
    from support import api_links
    from support.mail import api as mail_api
    from support.mail import views as mail_views
    from support.views import attachments, portal, queue

    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(mail_views.bp)
    for blueprint in (kb_editor.bp, kb_reports.bp, kb_tickets.bp, kb_public.bp):
        app.register_blueprint(blueprint)
    for blueprint in (sla_tickets.bp, sla_admin.bp, sla_reports.bp):
        app.register_blueprint(blueprint)
    for blueprint in (review_meetings.bp, review_problems.bp, review_glossary.bp, review_surveys.bp):
        app.register_blueprint(blueprint)
    review_surveys.register(app)  # the portal's survey prompt and the ticket page's problem panel
    api.register_blueprint(support_api.blp)
    api.register_blueprint(api_links.blp)
    api.register_blueprint(kb_api.blp)
    api.register_blueprint(mail_api.blp)
    api.register_blueprint(sla_api.blp)
    api.register_blueprint(reviews_api.blp)
    api.register_blueprint(reviews_api.survey_blp)
    # The API authenticates with bearer tokens, not cookies, so CSRF does not apply to it.
    csrf.exempt(support_api.blp)
    csrf.exempt(api_links.blp)
    csrf.exempt(kb_api.blp)
    csrf.exempt(mail_api.blp)
    csrf.exempt(sla_api.blp)
    csrf.exempt(reviews_api.blp)
    csrf.exempt(reviews_api.survey_blp)  # no cookies either: the survey token is the credential

    @app.get("/")
    def index():
        if current_user.is_authenticated and current_user.is_staff:
            return redirect(url_for("queue.index"))
        return redirect(url_for("portal.index"))


def register_commands(app: Flask) -> None:
    from core.cli import backup_cli, jobs_cli, tokens_cli, users_cli
    from kb.cli import kb_cli
    from reviews.cli import reviews_cli
    from sla.cli import sla_cli
    from support.cli import demo_cli
    from support.mail.cli import mail_cli

    for group in (users_cli, tokens_cli, jobs_cli, demo_cli, mail_cli, kb_cli, sla_cli, reviews_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_cli)
