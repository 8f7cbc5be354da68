"""`make run` without Stripe keys, as a newcomer runs it: the real Makefile starts the Stripe sandbox, the
background worker and the development server; Chromium buys on the review page, pays with the sandbox's
test card, and the sandbox's signed webhook, the worker, the confirmation email and the purchases page do
the rest. Nothing here is faked inside the app: it is three separate processes on a fresh SQLite file."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# Settings the test run exports for its own Django; `make run` must start from a developer's environment.
NOT_PASSED_ON = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "EMAIL_URL",
    "CACHE_URL",
    "SITE_URL",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
SIGN_IN = re.compile(r"https?://[^/\s]+(/purchases/sign-in/[^/\s]+/)")


@dataclass
class MakeRun:
    shop: str
    sandbox: str
    database: Path
    mail: Path
    log: Path

    def emails(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail.glob("*.log"))] if self.mail.exists() else []

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql).fetchall()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def eventually(check: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def make_run(tmp_path) -> Iterator[MakeRun]:
    port, sandbox_port = free_port(), free_port()
    run = MakeRun(
        shop=f"http://127.0.0.1:{port}",
        sandbox=f"http://127.0.0.1:{sandbox_port}",
        database=tmp_path / "db.sqlite3",
        mail=tmp_path / "mail",
        log=tmp_path / "make-run.log",
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in NOT_PASSED_ON and not key.startswith(("STRIPE_", "SECURE_", "PUBLIC_"))
    }
    env.update(
        PORT=str(port),
        STRIPE_SANDBOX_PORT=str(sandbox_port),
        # Empty, so a developer's .env cannot fill it in: this test is about running without keys.
        STRIPE_SECRET_KEY="",
        DATABASE_URL=f"sqlite:///{run.database}",
        EMAIL_URL=f"filemail:///{run.mail}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    # The suite's interpreter is the project's venv wherever CI put it; `-o install`: it is installed.
    command = ["make", "--no-print-directory", "run", f"BIN={Path(sys.executable).parent}", "-o", "install"]
    with run.log.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        eventually(
            lambda: answers(f"{run.shop}/healthz") or process.poll() is not None, "make run to serve", 240
        )
        assert process.poll() is None, run.log.read_text()[-3000:]
        yield run
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the group make run leads: make, server, worker, sandbox
        process.wait(timeout=30)


def test_a_newcomer_buys_in_the_sandbox_that_make_run_starts(make_run, open_page):
    page = open_page(390)

    page.goto(f"{make_run.shop}/checkout/bundle/?quantity=2")
    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{make_run.sandbox}/c/pay/*")  # the CSP let the redirect through
    assert page.locator(".sandbox-mark").is_visible()
    assert Axe().run(page).violations_count == 0
    page.fill("input[name=email]", "lead@studio.example")
    page.fill("input[name=name]", "Lee Lead")
    page.get_by_role("button", name=re.compile(r"^Pay USD")).click()

    page.wait_for_url(f"{make_run.shop}/checkout/success/*")
    assert page.text_content("h1") == "Thank you, your order is confirmed"
    reference = re.search(r"CPMA-\d+", page.content()).group(0)

    # The sandbox's signed webhook arrived and the worker handled it.
    eventually(
        lambda: make_run.query(
            "select 1 from checkout_stripeevent where type = 'checkout.session.completed' "
            "and handled_at is not null"
        ),
        "the checkout.session.completed webhook to be handled",
    )
    assert "checkout.session.completed" in make_run.log.read_text()
    confirmation = eventually(
        lambda: [m for m in make_run.emails() if f"Your CPMA order {reference} is confirmed" in m],
        "the confirmation email",
    )
    assert "To: lead@studio.example" in confirmation[0]

    # The browser that paid is signed in: its purchases page shows the order and its seats at once.
    page.get_by_role("link", name="Your purchases").first.click()
    page.wait_for_url(f"{make_run.shop}/purchases/")
    assert reference in page.content()
    page.get_by_role("link", name="Manage 2 seats").click()
    assert page.get_by_role("button", name="Preview").count() == 1

    # Another browser signs in with the emailed link.
    other = page.context.browser.new_context().new_page()
    other.goto(f"{make_run.shop}/purchases/")
    other.fill("input[name=email]", "lead@studio.example")
    other.get_by_role("button").filter(has_text=re.compile("link", re.I)).first.click()
    link = eventually(
        lambda: next((SIGN_IN.search(m) for m in make_run.emails() if SIGN_IN.search(m)), None),
        "the sign-in email",
    )
    other.goto(make_run.shop + link.group(1))
    other.get_by_role("button", name="Show my purchases").click()
    other.wait_for_url(f"{make_run.shop}/purchases/")
    assert reference in other.content()
    assert page.console_errors == []
