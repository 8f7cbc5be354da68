"""The order review page with its trust notes and policy links, at both widths (the site pages themselves
are in the sitemap, so test_pages_in_chromium checks them)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("slug", ["level-i", "bundle"])
def test_review_page_with_trust_notes_is_clean(shop, open_page, settings, width, slug):
    settings.STRIPE_SECRET_KEY = "sk_test_review_page"  # the Pay button shows; nothing calls Stripe on GET
    page = open_page(width)

    page.goto(f"{shop}/checkout/{slug}/")

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator(".before-you-pay .trust li").count() == 3
    page.locator(".before-you-pay").get_by_role("link", name="refund policy").click()
    page.wait_for_url(f"{shop}/refund-policy/")
    assert page.text_content("h1") == "Refund policy"
    assert page.console_errors == []
