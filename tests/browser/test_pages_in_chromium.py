import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.models import Product
from catalog.money import format_money
from tests.public_pages import RECOMMENDER_ANSWER, sitemap_paths

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_every_public_page_is_clean_in_chromium(shop, open_page, width):
    page = open_page(width)
    axe = Axe()
    problems = []

    for path in [*sitemap_paths(), RECOMMENDER_ANSWER]:
        response = page.goto(shop + path)
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{path}: {results.generate_report()}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{path}: scrolls sideways by {overflow}px")
        if page.console_errors:
            problems.append(f"{path}: console errors {list(page.console_errors)}")
            page.console_errors.clear()

    assert problems == []


@pytest.mark.parametrize(
    ("role", "seniority", "team", "slug"),
    [
        ("coordinator", "early", False, "level-i"),
        ("producer", "mid", False, "bundle"),
        ("post", "mid", False, "level-i"),
        ("post", "senior", False, "level-ii"),
        ("head", "senior", False, "level-ii"),
        ("head", "senior", True, "bundle"),
    ],
)
def test_recommender_form_recommends_the_right_product(shop, open_page, role, seniority, team, slug):
    page = open_page(390)
    page.goto(shop + "/film-tv-production/which-one-fits-me/")

    page.check(f"input[name=role][value={role}]")
    page.check(f"input[name=seniority][value={seniority}]")
    page.check(f"input[name=buying_for][value={'team' if team else 'me'}]")
    if team:
        page.get_by_label("Seats, if you are buying for a team (optional)").fill("6")
    page.get_by_role("button", name="Show my recommendation").click()

    product = Product.objects.get(slug=slug)
    heading = page.locator("#recommendation-heading")
    assert heading.inner_text() == f"We recommend: {product.name}"
    if team:
        # One primary action for a team: the seat form, carrying the buyer's count to the review page.
        assert page.locator(".recommendation #seat-count").input_value() == "6"
        page.locator(".recommendation").get_by_role("button", name="Review the order").click()
        page.wait_for_url(f"{shop}/checkout/{slug}/?quantity=6")
    else:
        buy = page.locator(".recommendation a.button")
        assert buy.get_attribute("href") == f"/checkout/{slug}/"
    assert page.console_errors == []


def test_home_page_shows_bundle_savings_computed_from_the_catalogue(shop, open_page):
    Product.objects.filter(slug="resume-kit").update(
        price_cents=Product.objects.get(slug="resume-kit").price_cents + 1100
    )
    bundle = Product.objects.with_pricing().get(slug="bundle")
    pricing = bundle.pricing
    page = open_page(1280)

    page.goto(shop + "/")

    card = page.locator(".card-featured")
    assert card.locator(".price-now").inner_text() == format_money(bundle.price_cents)
    assert card.locator(".price-was s").inner_text() == format_money(pricing.separate_value_cents)
    expected = f"You save {format_money(pricing.savings_cents)} ({pricing.savings_percent}%)"
    assert card.locator(".price-save").inner_text() == expected
