"""Stripe Tax as a newcomer sees it in `make run`'s sandbox, at desktop and phone widths: a German consumer
picks Germany on the sandbox's payment page and sees 19% VAT added, pays, and the shop's success page shows
the VAT; a German business with a VAT number sees the reverse charge, and the success page says "Reverse
charge: the buyer accounts for VAT" with the number."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_sandbox_purchase_in_chromium import make_run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def buy_level_i(page, run, *, vat_number: str = "", company: str = "") -> str:
    page.goto(f"{run.shop}/checkout/level-i/")
    assert "plus VAT where it applies" in page.content()
    page.check("input[name=digital_consent]")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{run.sandbox}/c/pay/*")
    page.fill("input[name=email]", "lead@studio.example")
    page.fill("input[name=name]", "Lee Lead")
    page.fill("input[name=business_name]", company)
    page.select_option("select[name=country]", "DE")
    page.fill("input[name=vat_number]", vat_number)
    page.get_by_role("button", name="Show the VAT for this country").click()
    return page.text_content(".tax-line")


def confirmed_page(page, tries: int = 20) -> str:
    """The success page once the worker has had the registry (the fake) confirm the VAT number: until then
    it says the number is being checked, and never "Reverse charge"."""
    for _ in range(tries):
        text = page.text_content("main")
        if "being checked" not in text:
            return text
        assert "Reverse charge" not in text
        page.wait_for_timeout(500)
        page.reload()
    return text


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_german_consumer_and_business_see_vat_and_reverse_charge(make_run, open_page, width):  # noqa: F811
    page = open_page(width)

    tax_line = buy_level_i(page, make_run)
    assert "VAT 19%" in tax_line and "USD 27.93" in tax_line
    assert Axe().run(page).violations_count == 0 and fits(page)
    page.get_by_role("button", name=re.compile(r"^Pay USD 174\.93")).click()
    page.wait_for_url(f"{make_run.shop}/checkout/success/*")
    consumer = page.content()
    assert "$27.93" in consumer and "$174.93" in consumer and "Reverse charge" not in consumer
    assert fits(page)

    tax_line = buy_level_i(page, make_run, vat_number="DE123456789", company="Studio GmbH")
    assert "reverse charge" in tax_line
    page.get_by_role("button", name=re.compile(r"^Pay USD 147\.00")).click()
    page.wait_for_url(f"{make_run.shop}/checkout/success/*")
    business = confirmed_page(page)
    assert "Reverse charge: the buyer accounts for VAT." in business and "DE123456789" in business
    assert Axe().run(page).violations_count == 0 and fits(page)
    assert page.console_errors == []
