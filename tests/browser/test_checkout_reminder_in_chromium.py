"""A checkout reminder under `make run`, as a newcomer tries it: Chromium ticks "Email me a reminder" on the
review page, leaves the sandbox's payment page, expires the session with the sandbox overview's button;
the webhook, the worker and the reminder email follow; the way-back page shows the cart (and the company
route for three seats) and its button leads back to paying. At 1280 and 390 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_sandbox_purchase_in_chromium import eventually, make_run  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

WAY_BACK = re.compile(r"https?://[^/\s]+(/order-reminder/(?!unsubscribe/)[^/\s]+/)")


@pytest.fixture
def no_holdout(monkeypatch):
    """Before make_run starts: this buyer is not held out, whatever the session id hashes to."""
    monkeypatch.setenv("RECOVERY_HOLDOUT_PERCENT", "0")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_consent_expiry_reminder_and_the_way_back_to_paying(no_holdout, make_run, open_page):  # noqa: F811
    narrow = open_page(390)
    narrow.goto(f"{make_run.shop}/checkout/level-i/?quantity=3")
    assert narrow.get_by_label("Email me a reminder if I don't finish").is_visible()
    assert not narrow.get_by_label("Email me a reminder if I don't finish").is_checked()
    assert fits(narrow) and Axe().run(narrow).violations_count == 0
    page = open_page(1280)
    page.goto(f"{make_run.shop}/checkout/level-i/?quantity=3")
    page.get_by_label("Email me a reminder if I don't finish").check()
    page.get_by_label("Email for the reminder").fill("producer@studio.example")
    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{make_run.sandbox}/c/pay/*")

    # The buyer walks away; the sandbox's overview expires the session.
    page.goto(f"{make_run.sandbox}/")
    page.get_by_role("button", name="Expire").click()
    page.wait_for_url(f"{make_run.sandbox}/")
    reminder = eventually(
        lambda: [m for m in make_run.emails() if "order is still waiting" in m], "the reminder email", 90
    )[0]
    assert "To: producer@studio.example" in reminder
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in reminder
    path = WAY_BACK.search(reminder).group(1)

    for width in (1280, 390):
        shown = open_page(width)
        shown.goto(make_run.shop + path)
        assert shown.get_by_role("button", name="Finish paying").is_visible()
        assert shown.get_by_role("link", name="Send this to my company to pay").is_visible()
        assert "3 seats of" in shown.content()
        assert fits(shown), f"the way-back page is wider than {width} px"
        assert Axe().run(shown).violations_count == 0
        assert shown.console_errors == []

    shown.check("#id_digital_consent")
    shown.get_by_role("button", name="Finish paying").click()
    shown.wait_for_url(f"{make_run.sandbox}/c/pay/*")
    shown.fill("input[name=email]", "producer@studio.example")
    shown.fill("input[name=name]", "Pat Producer")
    shown.get_by_role("button", name=re.compile(r"^Pay USD")).click()
    shown.wait_for_url(f"{make_run.shop}/checkout/success/*")
    assert shown.text_content("h1") == "Thank you, your order is confirmed"
    eventually(
        lambda: make_run.query(
            "select 1 from recovery_recoveredorder r join checkout_order o on o.id = r.order_id "
            "where o.status = 'paid'"
        ),
        "the recovered order to be paid",
    )
    assert page.console_errors == []
