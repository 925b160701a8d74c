"""End-to-end fixtures: the real app served over HTTP on 127.0.0.1 and Debian's Chromium via Playwright.

The server gets its own SQLite database built by the migrations, with real commits (no rolled-back
transaction: the browser talks to another thread). CSRF is on, as in production.
Locally these tests skip when Chromium is missing; in CI (CI=true) a missing browser is a failure.
Tests that ask for `screenshots` save the pages they visit under test-artifacts/screenshots/<test>/
(E2E_ARTIFACTS names another root); the run's summary says where.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from core.extensions import db

CHROMIUM = os.environ.get("AFTERCARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'live.db'}",
            "SECRET_KEY": "e2e-secret",
            "RATELIMIT_ENABLED": False,
            "UPLOAD_DIR": str(root / "attachments"),
            "INDEX_DIR": str(root / "index"),
        }
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def seed(live_app):
    """Run `fn()` inside the live app's context and commit, for test set-up."""

    def run(fn):
        with live_app.app_context():
            result = fn()
            db.session.commit()
            return result

    return run


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-US", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# -- screenshots -------------------------------------------------------------------------------------

# Where the journeys leave their screenshots: test-artifacts/ at the repository root unless E2E_ARTIFACTS
# names another folder (a CI system that keeps artifacts would point it at its own).
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
PHONE = {"width": 375, "height": 812}
_SCREENSHOT_FOLDERS = pytest.StashKey[dict]()


class Screenshots:
    """Full-page screenshots of the pages one test visits, numbered in the order it visits them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def take(self, page, name: str, *, phone: bool = False) -> Path:
        """Save `page` as NN-name.png; with `phone`, also as NN-name-phone.png at a phone's width."""
        self.count += 1
        stem = f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', name).strip('-')}"
        path = self.folder / f"{stem}.png"
        page.screenshot(path=path, full_page=True)
        if phone:
            size = page.viewport_size
            page.set_viewport_size(PHONE)
            try:
                page.screenshot(path=self.folder / f"{stem}-phone.png", full_page=True)
            finally:
                page.set_viewport_size(size)
        return path


@pytest.fixture
def screenshots(request) -> Screenshots:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = ARTIFACTS / "screenshots" / name
    # Only this run's pictures: a shorter run must not leave an older run's later pages behind.
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    request.config.stash.setdefault(_SCREENSHOT_FOLDERS, {})[request.node.nodeid] = folder
    return Screenshots(folder)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folders = config.stash.get(_SCREENSHOT_FOLDERS, {})
    if folders:
        terminalreporter.write_sep("-", "browser screenshots")
        for nodeid, folder in folders.items():
            count = len(list(folder.glob("*.png")))
            terminalreporter.write_line(f"{nodeid}: {count} screenshots in {folder}")
