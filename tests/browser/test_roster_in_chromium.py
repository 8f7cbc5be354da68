"""The roster and a certificate's public page in Chromium at phone and desktop widths: the seat manager
shows each holder's course progress, passed date and certificate link; the certificate page shows the
holder, credential, date and validity with its LinkedIn link; the lookup says "not found". Axe finds no
problem on any of them and nothing scrolls sideways."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from access import grants, links
from access.models import Grant
from catalog.models import Product
from learning.models import Certificate, Progress
from tests.browser.test_seats_in_chromium import _clean
from tests.factories import make_order

pytestmark = pytest.mark.browser


@pytest.fixture
def crew(shop, settings):
    settings.SITE_URL = shop
    level_one = Product.objects.get(slug="level-i")
    order = make_order([(level_one, 5)], email="lead@studio.example", buyer_name="Dana Okafor")
    grants.grant_access_for_order(order.pk)
    people = {
        2: ("Ana Ruiz", "ana@studio.example"),
        3: ("Bo Lind", "bo@studio.example"),
        4: ("Cy Gaffer", "cy@studio.example"),
    }
    for seat, (name, email) in people.items():
        Grant.objects.filter(order=order, seat=seat).update(
            holder_name=name, holder_email=email, state=Grant.State.ACTIVE, assigned_at=timezone.now()
        )
    now = timezone.now()
    Progress.objects.create(
        holder_email="ana@studio.example", product=level_one, started_at=now, percent=100, passed_at=now
    )
    Progress.objects.create(holder_email="bo@studio.example", product=level_one, started_at=now, percent=40)
    certificate = Certificate.objects.create(
        platform_id="c1",
        holder_email="ana@studio.example",
        holder_name="Ana Ruiz",
        product=level_one,
        issued_on=dt.date(2026, 12, 1),
        issued_event_at=now,
    )
    return order, certificate


@pytest.mark.parametrize("width", [390, 1280])
def test_the_roster_and_the_certificate_page(open_page, shop, crew, width):
    order, certificate = crew
    page = open_page(width)
    axe = Axe()
    problems: list[str] = []

    page.goto(f"{shop}/purchases/sign-in/{links.sign_in_token(order.email)}/")
    page.get_by_role("button", name="Show my purchases").click()
    page.wait_for_url(f"{shop}/purchases/")
    page.goto(f"{shop}/purchases/orders/{order.reference}/seats/")
    table = page.locator("table.seat-table")
    assert "40% · started" in table.inner_text()
    assert "passed" in table.inner_text()
    assert page.get_by_role("button", name="Nudge Cy Gaffer").count() == 1
    problems += _clean(page, axe, "roster")

    page.get_by_role("link", name="certificate").click()
    page.wait_for_url(f"{shop}/verify/{certificate.code}/")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "Ana Ruiz" in body and "CPMA Level I Certification" in body and "Valid" in body
    assert page.get_by_role("link", name="Add to LinkedIn").count() == 1
    problems += _clean(page, axe, "certificate page")

    page.goto(f"{shop}/verify/")
    page.get_by_label("Certificate code").fill("not-a-code")
    page.get_by_role("button", name="Check").click()
    assert "Not found" in page.inner_text("body")
    problems += _clean(page, axe, "lookup")

    assert problems == []
