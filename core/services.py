"""Writes for accounts. Services flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import utcnow
from core.extensions import db
from core.models import ApiToken, Invitation, Organisation, Role, Tier, User


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_or_create_organisation(name: str, *, tier: str = Tier.standard, domains: str = "") -> Organisation:
    """The organisation called `name`, created when it does not exist yet."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, tier=tier, email_domains=_clean_domains(domains))
        db.session.add(org)
        db.session.flush()
    return org


def save_organisation(org: Organisation | None, *, name: str, tier: str, email_domains: str) -> Organisation:
    """Create or update an organisation; names are unique."""
    clash = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if clash is not None and clash is not org:
        raise AccountError("An organisation with this name already exists.", "name")
    if tier not in Tier.__members__:
        raise AccountError("Unknown tier.", "tier")
    org = org or Organisation()
    org.name, org.tier, org.email_domains = name, tier, _clean_domains(email_domains)
    db.session.add(org)
    db.session.flush()
    return org


def _clean_domains(domains: str) -> str:
    return " ".join(sorted({d.strip().lstrip("@").lower() for d in domains.replace(",", " ").split() if d}))


def create_user(
    email: str,
    *,
    role: str = Role.customer,
    name: str = "",
    organisation: Organisation | None = None,
    password: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    active: bool = True,
) -> User:
    """Create an account; an address can hold only one."""
    email = normalise_email(email)
    if role not in Role.__members__:
        raise AccountError(f"Unknown role {role!r}.", "role")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError("An account with this email address already exists.", "email")
    user = User(
        email=email,
        role=role,
        name=name,
        organisation=organisation,
        locale=locale,
        timezone=timezone,
        active=active,
    )
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, **fields) -> User:
    """Change an account's name, role, organisation, language, time zone or active flag."""
    allowed = {"name", "role", "organisation", "locale", "timezone", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    if "role" in fields and fields["role"] not in Role.__members__:
        raise AccountError(f"Unknown role {fields['role']!r}.", "role")
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise AccountError("Use at least 8 characters.", "password")
    user.password_hash = generate_password_hash(password)


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with this address and password, or None."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash or not user.active:
        # Hash anyway so a wrong address takes as long as a wrong password.
        check_password_hash(generate_password_hash("x"), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = now or utcnow()
    return user


def create_api_token(user: User, *, label: str = "") -> str:
    """Create a token for `user` and return it; only its hash is stored."""
    token = "ac_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=hash_token(token), user=user, label=label))
    db.session.flush()
    return token


def user_for_token(token: str, *, now: datetime | None = None) -> User | None:
    """The active user a bearer token belongs to, or None; records when it was last used."""
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = now or utcnow()
    # Writing on every request would serialise API traffic on one row; a minute's precision is enough.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row.user


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation whose email domains include this address's domain."""
    domain = normalise_email(email).rpartition("@")[2]
    if not domain:
        return None
    candidates = db.session.scalars(
        sa.select(Organisation).where(Organisation.email_domains.contains(domain))
    )
    return next((org for org in candidates if domain in org.domains), None)


def create_invitation(
    email: str,
    organisation: Organisation,
    *,
    invited_by: User | None = None,
    now: datetime | None = None,
    valid_for: timedelta = timedelta(days=14),
) -> str:
    """Invite an address to join `organisation`; returns the one-time token for the link."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError("An account with this email address already exists.", "email")
    token = secrets.token_urlsafe(24)
    now = now or utcnow()
    db.session.add(
        Invitation(
            token_hash=hash_token(token),
            email=email,
            organisation=organisation,
            invited_by_id=invited_by.id if invited_by else None,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    db.session.flush()
    return token


def find_invitation(token: str, *, now: datetime | None = None) -> Invitation | None:
    """The unused, unexpired invitation for this token, or None."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= (now or utcnow()):
        return None
    return invitation


def accept_invitation(
    invitation: Invitation,
    *,
    name: str,
    password: str,
    locale: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create the invited customer's account and use up the invitation."""
    user = create_user(
        invitation.email,
        role=Role.customer,
        name=name,
        organisation=invitation.organisation,
        password=password,
        locale=locale,
    )
    invitation.used_at = now or utcnow()
    return user


def register_by_domain(email: str, *, name: str, password: str, locale: str | None = None) -> User:
    """Create an inactive customer account for an address in an organisation's domain.

    It becomes active when the owner of the address follows the confirmation link: without that,
    anyone could claim to be someone@customer.com and read that organisation's tickets.
    """
    org = organisation_for_email(email)
    if org is None:
        raise AccountError(
            "This address does not belong to a customer organisation. Ask your administrator for an invitation.",
            "email",
        )
    return create_user(
        email, role=Role.customer, name=name, organisation=org, password=password, locale=locale, active=False
    )


def activate_user(user: User) -> None:
    user.active = True
    db.session.flush()
