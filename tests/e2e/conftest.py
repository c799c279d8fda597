"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's
live server. ``playwright install`` cannot download here, so the browser is launched
from /usr/bin/chromium with the flags it needs as root."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The live server and sync Playwright share this process (Playwright runs an event
# loop), so Django's async-safety check must be off - in the browser tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PASSWORD = "test-pass-123"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _chromium_installed():
    """`make test` installs Chromium (scripts/sysdeps.sh): without it a browser test fails
    and says so, instead of passing by being skipped."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.fail(f"Chromium not found at {CHROMIUM} (make sysdeps installs it; E2E_CHROMIUM names another)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class ConsoleWatch:
    """Collects console errors, CSP violations and uncaught page errors of one page."""

    def __init__(self, page, who: str):
        self.who = who
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"[{who}] page error: {exc}"))

    def _console(self, message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "Content-Security-Policy" in text:
            # A 4xx a step expects (e.g. a refused form) is not a page problem.
            if "Failed to load resource" in text and "status of 400" in text:
                return
            self.problems.append(f"[{self.who}] console {message.type}: {text}")

    def assert_clean(self, step: str = ""):
        problems, self.problems = self.problems, []
        assert not problems, f"{step}: " + "\n".join(problems)


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(user, who)`` -> (page, console watch) of a fresh, logged-in browser context."""
    contexts = []

    def login(user, who):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                      base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        watch = ConsoleWatch(page, who)
        page.goto("/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(live_server.url + "/")
        return page, watch

    yield login
    for context in contexts:
        context.close()
