"""The correction page's preview and form, and the signed-out page, in Chromium at 1280 and 390 px: no
sideways scrolling and nothing axe objects to. The pages come from the test client and are shown with the
site's stylesheet inlined (no live server needed)."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse

from tests.corrections.conftest import *  # noqa: F403  (fixtures: paid, sign_in, fake_stripe, ...)
from tests.corrections.conftest import HEADER

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
LONG = {
    "company_name": "Northlight Films Produktionsgesellschaft mbH & Co. KG",
    "po_number": "PO-2026-000123456",
}


def _styled(html: str) -> str:
    return re.sub(r'<link rel="stylesheet"[^>]*>', f"<style>{CSS}</style>", html, count=1)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_correction_pages_fit_and_pass_axe(paid, client, sign_in, run_tasks, browser, width):
    url = reverse("corrections:buyer", args=[paid.reference])
    signed_out = client.get(url).content.decode()
    sign_in(paid.email)
    pages = {
        "signed out": signed_out,
        "form": client.get(url).content.decode(),
        "errors": client.post(url, {**HEADER, "company_name": "", "tax_id": "DE1", "action": "preview"}),
        "preview": client.post(url, {**HEADER, **LONG, "action": "preview"}).content.decode(),
    }
    pages["errors"] = pages["errors"].content.decode()
    client.post(url, {**HEADER, **LONG, "action": "confirm"})
    pages["pending"] = client.get(url).content.decode()
    run_tasks()
    pages["made"] = client.get(url).content.decode()
    pages["purchases"] = client.get("/purchases/").content.decode()
    assert "no money moved (invoice corrected)" in pages["purchases"]
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    try:
        for name, html in pages.items():
            page.set_content(_styled(html))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: scrolls sideways by {overflow}px")
            results = Axe().run(page)
            if results.violations_count:
                problems.append(f"{name}: {results.generate_report()}")
    finally:
        page.close()
    assert problems == []
