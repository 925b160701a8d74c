"""Writes for accounts. Services flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from core import signals
from core.db import utcnow
from core.extensions import db
from core.models import ApiToken, Invitation, Organisation, Role, Team, Tier, User

# Claiming one of these for an organisation would let anyone with a free mailbox join it.
_PUBLIC = """126.com 139.com 163.com aliyun.com foxmail.com gmail.com googlemail.com hotmail.com icloud.com
live.com mail.com me.com msn.com outlook.com proton.me protonmail.com qq.com sina.com sohu.com yahoo.com
yeah.net yandex.com"""
PUBLIC_MAIL_DOMAINS = frozenset(_PUBLIC.split())
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
PASSWORD_MIN = 8


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; `field` names the form field at fault.

    Messages are lazy translations: they are rendered in the language of whoever reads them.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AlreadyConfirmed(AccountError):
    """A confirmation link was followed again after the account was activated."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_or_create_organisation(name: str, *, tier: str = Tier.standard, domains: str = "") -> Organisation:
    """The organisation called `name`, created when it does not exist yet."""
    name = " ".join(name.split())
    if not name:
        raise AccountError(_l("Give the organisation a name."), "name")
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, tier=tier, email_domains=" ".join(_split_domains(domains)))
        db.session.add(org)
        db.session.flush()
    return org


def save_organisation(org: Organisation | None, *, name: str, tier: str, email_domains: str) -> Organisation:
    """Create or update an organisation; names are unique and a domain belongs to one organisation."""
    name = " ".join(name.split())
    if not name:
        raise AccountError(_l("Give the organisation a name."), "name")
    clash = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if clash is not None and clash is not org:
        raise AccountError(_l("An organisation with this name already exists."), "name")
    if tier not in Tier.__members__:
        raise AccountError(_l("Unknown tier."), "tier")
    domains = _split_domains(email_domains)
    _check_domains(domains, org)
    old_tier = org.tier if org is not None else None
    org = org or Organisation()
    org.name, org.tier, org.email_domains = name, tier, " ".join(domains)
    db.session.add(org)
    db.session.flush()
    if old_tier is not None and old_tier != tier:
        signals.organisation_changed.send(org, field="tier", old=old_tier, new=tier)
    return org


def _split_domains(domains: str) -> list[str]:
    return sorted({d.strip().lstrip("@").lower() for d in domains.replace(",", " ").split() if d.strip("@")})


def _check_domains(domains: list[str], org: Organisation | None) -> None:
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise AccountError(_l("%(domain)s is not a domain name.", domain=domain), "email_domains")
        if domain in PUBLIC_MAIL_DOMAINS:
            raise AccountError(
                _l(
                    "%(domain)s is a public mail service: anyone could join with it. "
                    "Invite its users instead.",
                    domain=domain,
                ),
                "email_domains",
            )
        owner = organisation_for_email("@" + domain)
        if owner is not None and owner is not org:
            raise AccountError(
                _l("%(domain)s already belongs to %(org)s.", domain=domain, org=owner.name), "email_domains"
            )


def _check_email(email: str) -> str:
    email = normalise_email(email)
    local, at, domain = email.rpartition("@")
    if not (local and at and domain) or any(ch.isspace() for ch in email):
        raise AccountError(_l("Enter a valid email address."), "email")
    return email


def _email_taken(email: str, *, besides: User | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if besides is not None and besides.id is not None:
        query = query.where(User.id != besides.id)
    return db.session.scalar(query) is not None


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
    email = _check_email(email)
    if role not in Role.__members__:
        raise AccountError(_l("Unknown role %(role)s.", role=role), "role")
    if _email_taken(email):
        raise AccountError(_l("An account with this email address already exists."), "email")
    user = User(
        email=email,
        role=role,
        name=(name or "").strip(),
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
    """Change an account's email, name, role, organisation, language, time zone or active flag."""
    allowed = {"email", "name", "role", "organisation", "locale", "timezone", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    if "email" in fields:
        fields["email"] = _check_email(fields["email"])
        if _email_taken(fields["email"], besides=user):
            raise AccountError(_l("An account with this email address already exists."), "email")
    if "role" in fields and fields["role"] not in Role.__members__:
        raise AccountError(_l("Unknown role %(role)s.", role=fields["role"]), "role")
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(_l("Use at least %(count)d characters.", count=PASSWORD_MIN), "password")
    user.password_hash = generate_password_hash(password)


@functools.cache
def _decoy_hash() -> str:
    return generate_password_hash("not anybody's password")


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with this address and password, or None.

    Raises AccountError for the right password on an inactive account: only the owner learns that
    the account exists, and they need to know why they cannot get in.
    """
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash:
        # Check a hash anyway so a wrong address takes as long as a wrong password.
        check_password_hash(_decoy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    if not user.active:
        raise AccountError(
            _l(
                "This account is not active. If you have just registered, follow the link in the "
                "confirmation mail; otherwise ask your administrator."
            ),
            "email",
        )
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
        sa.select(Organisation).where(Organisation.email_domains.contains(domain, autoescape=True))
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
    email = _check_email(email)
    if organisation is None:
        raise AccountError(_l("Choose the organisation to invite into."), "organisation")
    if _email_taken(email):
        raise AccountError(_l("An account with this email address already exists."), "email")
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


def check_invitation(token: str, *, now: datetime | None = None) -> Invitation:
    """The usable invitation for this token; AccountError saying why when there is none."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        raise AccountError(
            _l("This invitation link is not valid. Check that you copied all of it, or ask for a new one."),
            "invite",
        )
    if invitation.used_at is not None:
        raise AccountError(
            _l("This invitation has already been used. Sign in with the account it created."), "invite"
        )
    if invitation.expires_at <= (now or utcnow()):
        raise AccountError(
            _l("This invitation has expired. Ask your administrator to send a new one."), "invite"
        )
    return invitation


def find_invitation(token: str, *, now: datetime | None = None) -> Invitation | None:
    """The unused, unexpired invitation for this token, or None."""
    try:
        return check_invitation(token, now=now)
    except AccountError:
        return None


def accept_invitation(
    invitation: Invitation,
    *,
    name: str,
    password: str,
    locale: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create the invited customer's account and use up the invitation."""
    now = now or utcnow()
    user = create_user(
        invitation.email,
        role=Role.customer,
        name=name,
        organisation=invitation.organisation,
        password=password,
        locale=locale,
    )
    # A conditional update, so two tabs submitting the same invitation cannot both succeed.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if not claimed:
        raise AccountError(
            _l("This invitation has already been used. Sign in with the account it created."), "invite"
        )
    user.last_login_at = now
    return user


def revoke_invitation(invitation: Invitation, *, now: datetime | None = None) -> None:
    """Make an unused invitation unusable from now on."""
    now = now or utcnow()
    if invitation.used_at is None and invitation.expires_at > now:
        invitation.expires_at = now
        db.session.flush()


def register_by_domain(email: str, *, name: str, password: str, locale: str | None = None) -> User:
    """Create an inactive customer account for an address in an organisation's domain.

    It becomes active when the owner of the address follows the confirmation link: without that,
    anyone could claim to be someone@customer.com and read that organisation's tickets.
    """
    email = _check_email(email)
    org = organisation_for_email(email)
    if org is None:
        raise AccountError(
            _l(
                "This address does not belong to a customer organisation. "
                "Ask your administrator for an invitation."
            ),
            "email",
        )
    return create_user(
        email, role=Role.customer, name=name, organisation=org, password=password, locale=locale, active=False
    )


def confirm_registration(user_id: int, email: str, *, now: datetime | None = None) -> User:
    """Activate an account registered by domain once its owner followed the mailed link.

    Only an account that has never been used can be activated this way: an old link must not undo
    an administrator's decision to deactivate someone.
    """
    user = db.session.get(User, user_id)
    if user is None or user.email != normalise_email(email):
        raise AccountError(_l("This link does not belong to an account any more. Register again."), "token")
    if user.active:
        raise AlreadyConfirmed(_l("Your address is already confirmed. Sign in."), "token")
    if user.last_login_at is not None:
        raise AccountError(_l("This account was deactivated. Ask your administrator."), "token")
    user.active = True
    user.last_login_at = now or utcnow()
    db.session.flush()
    return user


def activate_user(user: User) -> None:
    user.active = True
    db.session.flush()


# -- teams ---------------------------------------------------------------------------------------------

TEAM_NAME_MAX = 100
TEAM_DESCRIPTION_MAX = 1000


def create_team(name: str, *, description: str = "", members: Iterable[User] = ()) -> Team:
    """Create a team of engineers and admins; names are unique."""
    team = Team(name=_team_name(name, None), description=_team_description(description))
    team.members = _staff_only(members)
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, *, name: str, description: str = "") -> Team:
    """Rename a team or change its description."""
    team.name = _team_name(name, team)
    team.description = _team_description(description)
    db.session.flush()
    return team


def set_team_members(team: Team, members: Iterable[User]) -> None:
    """Make `members` the whole team; only engineers and admins can belong to one."""
    team.members = _staff_only(members)
    db.session.flush()


def _staff_only(members: Iterable[User]) -> list[User]:
    chosen = list({user.id: user for user in members}.values())
    if outsiders := [user for user in chosen if not user.is_staff]:
        raise AccountError(
            _l(
                "%(name)s is not an engineer or admin; only staff can be in a team.",
                name=outsiders[0].display_name,
            ),
            "members",
        )
    return chosen


def delete_team(team: Team) -> None:
    """Delete a team; its members keep their accounts and tickets."""
    db.session.delete(team)
    db.session.flush()


def _team_name(name: str, team: Team | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise AccountError(_l("Give the team a name."), "name")
    if len(name) > TEAM_NAME_MAX:
        raise AccountError(_l("Use at most %(count)d characters.", count=TEAM_NAME_MAX), "name")
    # Case-insensitive: "Network" and "network" would be two teams nobody can tell apart in a menu.
    clash = db.session.scalar(sa.select(Team).where(sa.func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise AccountError(_l("A team with this name already exists."), "name")
    return name


def _team_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > TEAM_DESCRIPTION_MAX:
        raise AccountError(_l("Use at most %(count)d characters.", count=TEAM_DESCRIPTION_MAX), "description")
    return description
