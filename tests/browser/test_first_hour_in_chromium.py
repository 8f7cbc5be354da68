"""The first hour after paying, in Chromium: a Level I buyer pays, lands on the success page already signed
in, reads How to start (the words staff set) and reaches the purchases page without any email; a seat
holder opens her access email's personal link, presses the button and downloads a kit (at most 2 requests
from the email to the downloads); a link staff revoke in admin answers a clear 410 page.

Set SCREENSHOT_DIR to keep screenshots of each step at 1280 and 390 pixels."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail

from access.models import Grant
from catalog.models import Product
from checkout.models import Order
from tests.browser.test_delivery_in_chromium import pay, stripe_shop  # noqa: F401  (fixture)
from tests.checkout.conftest import run_ready_tasks

pytestmark = pytest.mark.browser

INSTRUCTIONS = "Open learn.cpma.example and sign in with the address you paid with. Start with Module 1."
PERSONAL_LINK = re.compile(r"https?://[^/\s]+(/purchases/open/[^/\s?]+/)")


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_level_i_buyer_lands_signed_in_and_reaches_the_purchases_page_without_email(
    stripe_shop,  # noqa: F811
    shop,
    open_page,
    width,
):
    Product.objects.filter(slug="level-i").update(access_instructions=INSTRUCTIONS)
    page = open_page(width)
    page.goto(f"{shop}/checkout/level-i/")

    order = pay(page, shop, stripe_shop, "pat@studio.example", name="Pat Producer")

    assert order.status == Order.Status.PAID
    shot(page, "1-success")
    start = page.locator("section.how-to-start")
    assert start.get_by_role("heading", name="How to start").is_visible()
    assert INSTRUCTIONS in start.inner_text()
    emails_before = len(mail.outbox)
    page.get_by_role("link", name="Open your purchases").click()
    page.wait_for_url(f"{shop}/purchases/")
    shot(page, "2-purchases")
    assert "Signed in as pat@studio.example" in page.content()
    card = page.locator("section.holding").first
    assert INSTRUCTIONS in card.inner_text()
    assert card.inner_text().index("How to start") < card.inner_text().index("Order")
    run_ready_tasks()
    sign_in_emails = [m for m in mail.outbox[emails_before:] if "sign-in" in m.body.lower()]
    assert sign_in_emails == []
    header = page.locator("header.site-header").get_by_role("link", name="Your purchases")
    assert header.is_visible()
    assert page.console_errors == []


def test_a_seat_holder_goes_from_her_email_to_her_downloads_in_two_requests(
    stripe_shop,  # noqa: F811
    shop,
    open_page,
    browser,
):
    lead = open_page(1280)
    lead.goto(f"{shop}/checkout/resume-kit/?quantity=2")
    order = pay(lead, shop, stripe_shop, "lead@studio.example", name="Lee Lead")
    lead.get_by_role("link", name="Open your purchases").click()
    lead.wait_for_url(f"{shop}/purchases/")
    lead.get_by_role("link", name="Manage 2 seats").click()
    lead.get_by_label("People, one a line").fill("Ana Editor <ana@studio.example>")
    lead.get_by_role("button", name="Preview").click()
    lead.get_by_role("button", name="Assign 1 seat").click()
    lead.wait_for_load_state()
    run_ready_tasks()
    message = next(m for m in mail.outbox if m.to == ["ana@studio.example"])
    link = shop + PERSONAL_LINK.search(message.body).group(1)

    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        ana = context.new_page()
        requests = 0
        ana.goto(link)  # 1: she opens the link in her email
        requests += 1
        shot(ana, "3-open-link")
        ana.get_by_role("button", name="Show my purchases").click()  # 2: she presses the button
        requests += 1
        ana.wait_for_url(f"{shop}/purchases/")
        shot(ana, "4-holder-purchases")
        downloads = ana.locator("ul.downloads a")
        assert downloads.count() >= 1
        print(f"from the access email to the downloads ({width} px): {requests} requests")
        assert requests <= 2
        with ana.expect_download() as download:
            downloads.first.click()
        assert download.value.suggested_filename
        context.close()
    assert Grant.objects.filter(
        order=order, holder_email="ana@studio.example", downloads__isnull=False
    ).exists()
    assert not [m for m in mail.outbox if m.to == ["ana@studio.example"] and "sign-in" in m.body.lower()]


def test_a_link_revoked_in_admin_answers_a_clear_410_page(stripe_shop, shop, open_page):  # noqa: F811
    buyer = open_page(1280)
    buyer.goto(f"{shop}/checkout/level-i/")
    order = pay(buyer, shop, stripe_shop, "pat@studio.example")
    run_ready_tasks()
    confirmation = next(m for m in mail.outbox if "is confirmed" in m.subject)
    link = shop + PERSONAL_LINK.search(confirmation.body).group(1)
    User.objects.create_superuser("staff", "staff@example.com", "a-long-test-password-1")

    admin = open_page(1280)
    admin.goto(f"{shop}/admin/login/?next=/admin/checkout/order/")
    admin.fill("input[name=username]", "staff")
    admin.fill("input[name=password]", "a-long-test-password-1")
    admin.get_by_role("button", name="Log in").click()
    admin.wait_for_url(f"{shop}/admin/checkout/order/")
    admin.locator(f"input[name=_selected_action][value='{order.pk}']").check()
    admin.select_option("select[name=action]", "revoke_order_links")
    admin.get_by_role("button", name="Go").click()
    admin.wait_for_load_state()
    assert "now answer 410" in admin.content()

    response = buyer.goto(link)

    assert response.status == 410
    shot(buyer, "5-revoked")
    assert buyer.get_by_role("heading", name="This link has been switched off").is_visible()
    assert "Show my purchases" not in buyer.content()
