"""Adding seats in Chromium at phone and desktop widths: a head of production with five Bundle seats asks for
none (refused on its field), then for three more, pays on the sandbox's Checkout page, comes back to a page
that leads to the same seat manager, and gives six seats from a pasted list, two of them new ones; axe finds no problem and nothing
scrolls sideways on the way."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from access import grants, links
from access.models import Grant
from catalog.models import Product
from checkout.models import Order
from tests.browser.conftest import ConsoleErrors
from tests.checkout.conftest import run_ready_tasks
from tests.factories import make_order

pytestmark = pytest.mark.browser


@pytest.fixture
def team_order(shop, hosted_stripe):
    order = make_order(
        [(Product.objects.get(slug="bundle"), 5)],
        email="lead@studio.example",
        buyer_name="Dana Okafor",
        company_name="Northlight Pictures",
    )
    grants.grant_access_for_order(order.pk)
    run_ready_tasks()
    mail.outbox.clear()
    return order


def _problems(page, axe: Axe, where: str) -> list[str]:
    found = []
    results = axe.run(page)
    if results.violations_count:
        found.append(f"{where}: {results.generate_report()}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{where}: scrolls sideways by {overflow}px")
    if page.console_errors:
        found.append(f"{where}: console errors {list(page.console_errors)}")
    folder = os.environ.get("SEAT_SCREENSHOTS")
    if folder:
        page.screenshot(
            path=f"{folder}/added-{where.replace(' ', '-')}-{page.viewport_size['width']}.png", full_page=True
        )
    return found


@pytest.mark.parametrize("width", [390, 1280])
def test_a_head_of_production_adds_three_seats_pays_and_gives_one(
    browser, shop, hosted_stripe, team_order, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.console_errors = ConsoleErrors()
    page.console_errors.watch(page)
    axe = Axe()
    problems: list[str] = []
    seats_page = f"{shop}/purchases/orders/{team_order.reference}/seats/"

    page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(team_order.email)}/")
    page.get_by_role("button", name="Show my purchases").click()
    page.goto(seats_page)
    panel = page.locator("#add-seats")
    text = panel.text_content()
    assert "$" in text and "a seat plus VAT where it applies, today's price" in text
    problems += _problems(page, axe, "seat manager")

    panel.get_by_label("How many more seats of CPMA Bundle").fill("0")
    panel.get_by_role("button", name="Continue to payment").click()
    field = page.locator("#id_add_quantity")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Add at least 1 seat." in page.text_content("#add-quantity-error")
    assert not Order.objects.filter(adds_seats_to=team_order).exists()
    page.console_errors.remove(
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )
    problems += _problems(page, axe, "refused count")

    field.fill("3")
    page.check("#id_add_consent")  # the digital-content consent, unticked again after the refusal
    page.locator("#add-seats").get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(f"{hosted_stripe.url}/c/pay/*")
    extra = Order.objects.get(adds_seats_to=team_order)
    assert page.text_content("#session") == extra.stripe_session_id
    assert page.input_value("input[name=email]") == "lead@studio.example"  # the team's buyer
    page.fill("input[name=name]", "Dana Okafor")
    page.locator("button.primary").click()
    page.wait_for_url(f"{shop}/checkout/success/*")
    assert f"3 more seats for order {team_order.reference}" in page.text_content("main")
    problems += _problems(page, axe, "success")

    run_ready_tasks()  # the worker creates the new seats
    page.get_by_role("link", name="Give the new seats").click()
    page.wait_for_url(seats_page)
    assert "8 seats:" in page.text_content("[data-seat-counts]")
    assert [r.get_attribute("data-seat") for r in page.locator("tr[data-state='free']").all()] == [
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
    ]
    problems += _problems(page, axe, "seat manager with added seats")

    people = "\n".join(f"Crew {n} <crew{n}@studio.example>" for n in range(1, 7))
    page.get_by_label("People, one a line").fill(people)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Assign 6 seats").click()
    page.wait_for_url(seats_page)
    run_ready_tasks()
    assert set(Grant.objects.filter(order=extra).exclude(holder_email="").values_list("seat", flat=True)) == {
        6,
        7,
    }
    assert sorted(m.to[0] for m in mail.outbox if m.to[0].startswith("crew")) == [
        f"crew{n}@studio.example" for n in range(1, 7)
    ]
    page.reload()
    assert "8 seats:" in page.text_content("[data-seat-counts]") and "1 free" in page.text_content(
        "[data-seat-counts]"
    )
    problems += _problems(page, axe, "seats given")
    context.close()
    assert problems == []
