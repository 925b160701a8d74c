"""What the staff pages of reviews share."""

from __future__ import annotations

from flask_login import current_user

from core.models import User


def me() -> User:
    # Services compare users by identity; the proxy itself is not the User row.
    return current_user._get_current_object()
