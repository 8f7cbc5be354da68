"""The seat manager in Chromium at phone and desktop widths: a head of production pastes four lines into a
five-seat order, the preview names the bad line and the existing holder, two seats are assigned with one
email each, the table shows every seat's state, Copy puts a claim link on the clipboard, and axe finds no
problem on the manager, the preview or the claim page."""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from access import grants, links
from access.models import Grant
from catalog.models import Product
from teams import seats
from tests.checkout.conftest import run_ready_tasks
from tests.factories import make_order

pytestmark = pytest.mark.browser

SCREENSHOTS = None  # set SEAT_SCREENSHOTS=/some/dir to keep the pages as PNG files


def _shot(page, name: str, width: int) -> None:
    folder = os.environ.get("SEAT_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)


def _clean(page, axe: Axe, where: str) -> list[str]:
    problems = []
    results = axe.run(page)
    if results.violations_count:
        problems.append(f"{where}: {results.generate_report()}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{where}: scrolls sideways by {overflow}px")
    if page.console_errors:
        problems.append(f"{where}: console errors {list(page.console_errors)}")
    return problems


@pytest.fixture
def team_order(shop, settings):
    settings.SITE_URL = shop
    order = make_order(
        [(Product.objects.get(slug="bundle"), 5)],
        email="lead@studio.example",
        buyer_name="Dana Okafor",
        company_name="Northlight Pictures",
    )
    grants.grant_access_for_order(order.pk)
    seat_two = Grant.objects.filter(order=order, seat=2).first()
    seats.assign_seat(
        grant_token=seat_two.token, buyer_email=order.email, name="Ana", email="ana@studio.example"
    )
    run_ready_tasks()
    mail.outbox.clear()
    return order


@pytest.mark.parametrize("width", [390, 1280])
def test_a_team_lead_assigns_a_pasted_list_and_copies_a_claim_link(browser, shop, team_order, width):
    from tests.browser.conftest import ConsoleErrors

    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shop)
    page = context.new_page()
    page.console_errors = ConsoleErrors()
    page.console_errors.watch(page)
    axe = Axe()
    problems: list[str] = []

    page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(team_order.email)}/")
    page.get_by_role("button", name="Show my purchases").click()
    page.wait_for_url(f"{shop}/purchases/")
    page.get_by_role("link", name="Manage 5 seats").click()
    page.wait_for_url(f"{shop}/purchases/orders/{team_order.reference}/seats/")
    # The buyer holds seat 1 and has just opened the purchases page: that seat has started.
    assert "5 seats: 1 started, 1 assigned and not started, 3 free." in page.text_content(
        "[data-seat-counts]"
    )
    problems += _clean(page, axe, "seat manager")
    _shot(page, "seats", width)

    page.get_by_label("People, one a line").fill(
        "Raj Patel <raj@studio.example>\nnot-an-address\nana@studio.example, Ana\nBo Grip, bo@studio.example"
    )
    page.get_by_role("button", name="Preview").click()
    invalid = page.text_content("[data-invalid-lines]")
    assert "Line 2" in invalid and "no email address on this line" in invalid
    assert "Line 3" in invalid and "already holds a seat of CPMA Bundle on this order" in invalid
    assert not Grant.objects.filter(order=team_order, holder_email="raj@studio.example").exists()
    problems += _clean(page, axe, "preview")
    _shot(page, "seats-preview", width)

    page.get_by_role("button", name="Assign 2 seats").click()
    page.wait_for_url(f"{shop}/purchases/orders/{team_order.reference}/seats/")
    run_ready_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@studio.example", "raj@studio.example"]
    page.reload()
    states = {
        row.get_attribute("data-seat"): row.get_attribute("data-state")
        for row in page.locator("tr[data-seat]").all()
    }
    assert states == {"1": "opened", "2": "assigned", "3": "assigned", "4": "assigned", "5": "free"}
    assert page.locator("tr[data-seat='3']").text_content().count("raj@studio.example") == 1
    assert "not assigned" in page.locator("tr[data-seat='5']").text_content()

    page.locator("tr[data-seat='5']").get_by_role("button", name="Get a claim link to send").click()
    page.wait_for_url(re.compile(r".*/seats/#seat-\d+-5$"))
    claim_field = page.locator("tr[data-seat='5'] input.claim-link")
    page.locator("tr[data-seat='5']").get_by_role("button", name="Copy link").click()
    page.get_by_text("Claim link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == claim_field.input_value()
    assert "/purchases/claim/" in claim_field.input_value()
    problems += _clean(page, axe, "seat table")
    _shot(page, "seats-assigned", width)

    claimant = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    claimant.console_errors = ConsoleErrors()
    claimant.console_errors.watch(claimant)
    claimant.goto(claim_field.input_value())
    assert "Dana Okafor (Northlight Pictures) gave you a seat of the CPMA Bundle." in claimant.text_content(
        "main"
    )
    problems += _clean(claimant, axe, "claim page")
    _shot(claimant, "claim", width)
    claimant.get_by_label("Your name").fill("Cy Gaffer")
    claimant.get_by_label("Your email address").fill("cy@studio.example")
    claimant.get_by_role("button", name="Claim this seat").click()
    # A claim proves no address, so it signs nobody in (issue 33): the access email sent to it does.
    assert "Your access details went to cy@studio.example" in claimant.text_content("main")
    run_ready_tasks()
    [access_email] = [m for m in mail.outbox if m.to == ["cy@studio.example"]]
    [personal_link] = re.findall(r"https?://[^/\s]+(/purchases/open/[^/\s]+/)", access_email.body)
    claimant.goto(f"{shop}{personal_link}")
    claimant.get_by_role("button", name="Show my purchases").click()
    assert "Signed in as cy@studio.example" in claimant.text_content("main")
    claimant.context.close()

    page.reload()
    # Cy claimed the seat, then opened her access from the email.
    assert page.locator("tr[data-seat='5']").get_attribute("data-state") == "opened"
    assert "5 seats: 2 started, 3 assigned and not started, 0 free." in page.text_content(
        "[data-seat-counts]"
    )
    context.close()
    assert problems == []


def test_without_javascript_the_claim_link_stays_selectable_and_no_copy_button_shows(
    browser, shop, team_order
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(team_order.email)}/")
    page.get_by_role("button", name="Show my purchases").click()
    page.goto(f"{shop}/purchases/orders/{team_order.reference}/seats/?show=free")
    assert page.locator("input.claim-link").count() == 0
    page.locator("tr[data-seat='3']").get_by_role("button", name="Get a claim link to send").click()

    fields = page.locator("input.claim-link")
    assert fields.count() == 1
    assert "/purchases/claim/" in fields.first.input_value()
    assert page.get_by_role("button", name="Copy link").count() == 0
    page.get_by_label("Find a holder").fill("ana@")
    page.get_by_role("button", name="Find").click()
    assert [r.get_attribute("data-seat") for r in page.locator("tr[data-seat]").all()] == ["2"]
    context.close()


SPREADSHEET = (
    "First name\tLast name\tWork email\n"
    "Raj\tPatel\traj@studio.example\n"
    "Bo\tGrip\tbo@studio.example\n"
    "Cy\tGaffer\tcy\u200b@studio.example\n"
    "\tNo address\t\n"
)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_spreadsheet_paste_is_previewed_and_assigned(browser, shop, team_order, width):
    from tests.browser.conftest import ConsoleErrors

    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.console_errors = ConsoleErrors()
    page.console_errors.watch(page)
    axe = Axe()
    page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(team_order.email)}/")
    page.get_by_role("button", name="Show my purchases").click()
    page.goto(f"{shop}/purchases/orders/{team_order.reference}/seats/")

    page.get_by_label("People, one a line").fill(SPREADSHEET)
    page.get_by_role("button", name="Preview").click()
    notes = page.text_content("[data-list-notes]")
    assert "Line 1 read as the names of the columns" in notes
    assert "Line 4 had an invisible character, removed." in notes
    assert "Line 5" in page.text_content("[data-invalid-lines]")
    assign = page.get_by_role("button", name="Assign 3 seats")
    assert assign.bounding_box()["y"] < page.locator("[data-invalid-lines]").bounding_box()["y"]
    problems = _clean(page, axe, "spreadsheet preview")
    _shot(page, "seats-spreadsheet-preview", width)

    assign.click()
    page.wait_for_url(f"{shop}/purchases/orders/{team_order.reference}/seats/")
    holders = dict(
        Grant.objects.filter(order=team_order, state="active").values_list("holder_email", "holder_name")
    )
    assert holders["raj@studio.example"] == "Raj Patel" and holders["cy@studio.example"] == "Cy Gaffer"
    page.context.close()
    assert problems == []


def test_fifty_seats_stay_a_short_page_at_both_widths(browser, shop, settings):
    """The seat manager of a 50-seat order: 40 held, 10 free. Heights before issue 32 were 6,646 px at
    1280 and 18,158 px at 390 (the table alone, one tall row or card per seat)."""
    settings.SITE_URL = shop
    order = make_order([(Product.objects.get(slug="bundle"), 50)], email="lead@studio.example")
    grants.grant_access_for_order(order.pk)
    for number in range(2, 41):
        seat = Grant.objects.filter(order=order, seat=number).first()
        seats.assign_seat(
            grant_token=seat.token,
            buyer_email=order.email,
            name=f"Person {number}",
            email=f"p{number}@x.example",
        )
    heights = {}
    for width in (1280, 390):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(order.email)}/")
        page.get_by_role("button", name="Show my purchases").click()
        page.goto(f"{shop}/purchases/orders/{order.reference}/seats/")
        heights[width] = page.evaluate("document.body.scrollHeight")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        _shot(page, "seats-fifty", width)
        if os.environ.get("SEAT_SCREENSHOTS"):
            page.locator("tr[data-seat='38']").scroll_into_view_if_needed()
            page.screenshot(path=f"{os.environ['SEAT_SCREENSHOTS']}/seats-fifty-table-{width}.png")
        page.context.close()
    print(f"seat manager with 50 seats: {heights[1280]} px at 1280, {heights[390]} px at 390")
    assert heights[1280] < 4500 and heights[390] < 8500
