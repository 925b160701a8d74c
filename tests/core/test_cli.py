"""`flask users create`, as deployment scripts and the README use it."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from core.models import Organisation, User
from tests.factories import make_org, make_user


def users_create(app, *args):
    return app.test_cli_runner().invoke(args=["users", "create", *args])


def test_creates_the_organisation_when_missing(app):
    result = users_create(
        app, "zhang.min@hengtai.cn", "--role", "customer", "--org", "Hengtai", "--name", "张敏"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "zhang.min@hengtai.cn"))
    assert (user.role, user.name, user.organisation.name) == ("customer", "张敏", "Hengtai")
    assert "created customer zhang.min@hengtai.cn in Hengtai" in result.output


def test_joins_an_existing_organisation(app):
    org = make_org("Northwind")
    result = users_create(app, "tom@northwind.example", "--org", "Northwind")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "tom@northwind.example"))
    assert user.organisation is org and user.role == "customer"
    assert (
        db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(Organisation.name == "Northwind"))
        == 1
    )


def test_password_works_at_login(app, client):
    result = users_create(app, "Ops@Aftercare.example", "--role", "engineer", "--password", "s3cret-enough")
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "ops@aftercare.example", "password": "s3cret-enough"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/queue"
    with client.session_transaction() as session:
        user = db.session.scalar(sa.select(User).where(User.email == "ops@aftercare.example"))
        assert session["_user_id"] == str(user.id)


def test_duplicate_email_fails_clearly(app):
    make_user("taken@example.com")
    db.session.commit()  # the command rolls back its own failure; the account was there before it
    result = users_create(app, "TAKEN@example.com", "--role", "admin", "--org", "Brand new org")
    assert result.exit_code != 0
    assert "An account with this email address already exists." in result.output
    assert db.session.scalar(sa.select(User.role).where(User.email == "taken@example.com")) == "customer"
    # Nothing half-done is left behind: the organisation named with the failed account is not created.
    assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "Brand new org")) is None


def test_short_password_and_unknown_role_are_refused(app):
    result = users_create(app, "short@example.com", "--password", "short")
    assert result.exit_code != 0 and "at least 8 characters" in result.output
    result = users_create(app, "role@example.com", "--role", "overlord")
    assert result.exit_code != 0 and "overlord" in result.output
    assert (
        db.session.scalar(sa.select(User).where(User.email.in_(["short@example.com", "role@example.com"])))
        is None
    )
