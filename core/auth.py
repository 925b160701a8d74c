"""Who is asking: session login for pages, bearer tokens for the API, and role checks."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from core import services
from core.extensions import db, login_manager
from core.models import User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def role_required(*roles: str):
    """Allow a view only to signed-in users with one of `roles` ("staff" means engineer or admin)."""
    wanted = set(roles)
    if "staff" in wanted:
        wanted |= {"engineer", "admin"}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in wanted:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def bearer_user() -> User | None:
    """The user of the request's `Authorization: Bearer` token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services.user_for_token(token.strip())
