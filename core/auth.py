"""Who is asking: session login for pages, bearer tokens for the API, role checks, the lock on an
account after repeated failed sign-ins, and password-reset links."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from core import services
from core.extensions import db, limiter, login_manager
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


# -- signing in: a lock per account, whichever address the guesses come from ---------------------------
#
# Flask-Limiter's per-address limit on POST /login slows one guesser down; guesses spread over many
# addresses are counted here, per account, in the limiter's own storage (memory, or Redis when
# RATELIMIT_STORAGE_URI says so). Unknown addresses are counted the same way, so a lock tells nobody
# whether an account exists.


def _failures() -> RateLimiter:
    try:
        return MovingWindowRateLimiter(limiter.storage)  # locked until the oldest failure is old enough
    except NotImplementedError:
        return limiter.limiter


def _account_key(email: str) -> str:
    # Hashed: the limiter's storage (perhaps a shared Redis) need not hold people's addresses.
    return "login-account:" + services.hash_token(services.normalise_email(email))


def _lockout() -> RateLimitItem:
    return parse(current_app.config["LOGIN_ACCOUNT_LOCKOUT"])


def lockout_seconds(email: str) -> int:
    """How long sign-ins to this account stay refused after too many failures (0: not locked)."""
    if not limiter.enabled:
        return 0
    strategy, item = _failures(), _lockout()
    if strategy.test(item, _account_key(email)):
        return 0
    reset_at = strategy.get_window_stats(item, _account_key(email)).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def note_failed_login(email: str) -> None:
    if limiter.enabled:
        _failures().hit(_lockout(), _account_key(email))


def forget_failed_logins(email: str) -> None:
    """After a successful sign-in or a password reset the account starts with a clean slate."""
    if limiter.enabled:
        _failures().clear(_lockout(), _account_key(email))


def may_send_reset_mail(email: str) -> bool:
    """Counts a reset mail to this address; False once PASSWORD_RESET_MAILS is used up (no mail bomb)."""
    if not limiter.enabled:
        return True
    item = parse(current_app.config["PASSWORD_RESET_MAILS"])
    return limiter.limiter.hit(item, "password-reset:" + services.hash_token(services.normalise_email(email)))


# -- password reset links ------------------------------------------------------------------------------
#
# A link carries the account id and a fingerprint of the current password hash, signed with the secret
# key. Setting a new password changes the hash, so a link works once; a link mailed before another one
# was used stops working too. No row is stored.

RESET_SALT = "reset-password"


class ResetLinkRefused(Exception):
    """A reset link that cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _reset_serializer().dumps({"id": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for; ResetLinkRefused saying why it cannot be used."""
    try:
        payload = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise ResetLinkRefused(_l("This link has expired. Ask for a new one below."), 410) from None
    except BadSignature:
        raise ResetLinkRefused(_l("This link is not valid. Check that you copied all of it."), 404) from None
    user = db.session.get(User, payload.get("id")) if isinstance(payload, dict) else None
    if user is None or not user.active:
        raise ResetLinkRefused(_l("This link does not belong to an account that can sign in."), 410)
    if not hmac.compare_digest(str(payload.get("pw")), _password_fingerprint(user)):
        raise ResetLinkRefused(_l("This link was already used. Ask for a new one below."), 410)
    return user


def reset_candidate(email: str) -> User | None:
    """The account a reset mail may go to: active, with this address (an unconfirmed one confirms first)."""
    user = db.session.scalar(sa.select(User).where(User.email == services.normalise_email(email)))
    return user if user is not None and user.active else None


# Passwords people pick first; a guesser tries them first too.
_COMMON = """12345678 123456789 1234567890 password password1 password123 qwertyuiop qwerty123 11111111
abc12345 iloveyou 1q2w3e4r 1qaz2wsx zaq12wsx passw0rd welcome1 letmein1 admin123 00000000 88888888
66666666 a1234567 aa123456 woaini1314 sunshine1 football1"""
COMMON_PASSWORDS = frozenset(_COMMON.split())


def password_problem(password: str, email: str) -> str | None:
    """Why this password is too weak for this account, or None."""
    lowered = password.lower()
    local = services.normalise_email(email).partition("@")[0]
    if len(password) < services.PASSWORD_MIN:
        return _l("Use at least %(count)d characters.", count=services.PASSWORD_MIN)
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return _l("This password is too easy to guess; add a few words of your own.")
    if lowered == services.normalise_email(email) or (len(local) >= 4 and local in lowered):
        return _l("Do not use your email address in the password.")
    return None
