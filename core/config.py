"""Settings: defaults, then the environment, then a test mapping (the Flask tutorial's order)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # None: secure exactly when BASE_URL is https (below); true or false here or in the environment wins.
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_SECURE": None,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": ["en", "zh_Hans"],
    "DEFAULT_TIMEZONE": "Asia/Shanghai",
    "QUEUE_PAGE_SIZE": 50,
    # Uploads: a whole request may carry several attachments; each one is checked on its own too.
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENT_EXTENSIONS": [
        "txt",
        "log",
        "csv",
        "json",
        "xml",
        "yaml",
        "yml",
        "md",
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "zip",
        "gz",
        "tgz",
        "7z",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "eml",
        "har",
    ],
    "AUTO_CLOSE_RESOLVED_DAYS": 7,
    "LOGIN_RATE_LIMIT": "5 per minute",
    # Failed sign-ins per account (from any address) before it is locked for the rest of the window.
    "LOGIN_ACCOUNT_LOCKOUT": "10 per 15 minutes",
    "PASSWORD_RESET_MAX_AGE": 3600,  # seconds a password-reset link works
    "PASSWORD_RESET_MAILS": "3 per hour",  # reset mails to one address, whoever asks
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_FROM": "support@aftercare.local",
    # Outbound mail (core/mail.py): the outbox retries with backoff while the server is down.
    "MAIL_USE_SSL": False,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_TIMEOUT": 10,
    "MAIL_RETRY_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 3600,
    "MAIL_MAX_ATTEMPTS": 40,
    # Inbound mail (support/mail/): see support/mail/ingest.py for what each setting decides.
    "MAIL_UNKNOWN_SENDERS": "create",  # or "quarantine"
    "MAIL_SENDER_LIMIT_PER_HOUR": 30,
    "MAIL_OWN_ADDRESSES": [],  # our mailboxes besides MAIL_FROM: mail from them is never ingested
    "MAIL_INGEST_TOKEN": None,  # a bearer token an MTA may use for POST /api/v1/mail/inbound
    "MAIL_IMAP_ACCOUNTS": [],  # [{"host", "port", "user", "password", "ssl", "folder", "move_to"}]
    "MAIL_LMTP_HOST": "127.0.0.1",
    "MAIL_LMTP_PORT": 2525,
    "MAIL_NOTIFY": True,
    "BASE_URL": "http://127.0.0.1:5000",
    # Knowledge base: public articles readable without signing in; see kb/indexing.py for the index.
    "KB_PUBLIC": True,
    "KB_WARM_UP": True,
    "KB_INDEX_IN_BACKGROUND": True,
    "KB_PAGE_SIZE": 10,
    "KB_DEFLECTION_SETTLE_MINUTES": 60,
    # "whoosh" (an index on disk, the embedded default) or "postgres" (the index in PostgreSQL, for
    # several machines; needs a PostgreSQL DATABASE_URL). See kb/search/backends.py.
    "KB_SEARCH_BACKEND": "whoosh",
    # flask-smorest: the OpenAPI document at /api/v1/openapi.json.
    "API_TITLE": "Aftercare",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    },
}


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill `app.config` from defaults, the environment and `overrides`, in that order."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{instance / 'aftercare.db'}"
    )
    app.config["INDEX_DIR"] = os.environ.get("AFTERCARE_INDEX_DIR", str(instance / "index"))
    app.config["UPLOAD_DIR"] = str(instance / "attachments")
    app.config.from_prefixed_env("AFTERCARE")
    if overrides:
        app.config.from_mapping(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _check_search_backend(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    # Secure cookies whenever the app is served over HTTPS; plain http on 127.0.0.1 must still log in.
    # (Flask's own default for SESSION_COOKIE_SECURE is False, so a setdefault here never took effect.)
    https = app.config["BASE_URL"].startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config[key] is None:
            app.config[key] = https


def _normalise_db_url(url: str) -> str:
    # psycopg 3 is the driver we install; plain postgresql:// URLs would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check_search_backend(config) -> None:
    """Refuse to start with a search backend that cannot work, rather than fail at the first search."""
    backend = config["KB_SEARCH_BACKEND"]
    if backend not in ("whoosh", "postgres"):
        raise RuntimeError(f"KB_SEARCH_BACKEND must be 'whoosh' or 'postgres', not {backend!r}")
    if backend == "postgres" and not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        raise RuntimeError(
            "KB_SEARCH_BACKEND=postgres (AFTERCARE_KB_SEARCH_BACKEND) keeps the search index in "
            "PostgreSQL: set DATABASE_URL to a PostgreSQL database, or use the default 'whoosh'"
        )


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
