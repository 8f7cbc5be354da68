"""The public certificate page, the lookup by code (rate-limited, "not found" and nothing more), and the
holder hiding their page from the purchases page."""

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from learning.models import Certificate
from learning.views import LOOKUPS_PER_WINDOW
from tests.learning.conftest import assign, seated_order

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def certificate(catalog):
    order = seated_order(catalog["level-i"], 2)
    assign(order, 1, "ana@studio.example", "Ana Ruiz")
    assign(order, 2, "mallory@studio.example")
    return Certificate.objects.create(
        platform_id="cert_1",
        holder_email="ana@studio.example",
        holder_name="Ana Ruiz",
        product=catalog["level-i"],
        issued_on=dt.date(2026, 11, 30),
        issued_event_at=timezone.now() - dt.timedelta(days=1),
    )


def test_the_page_shows_holder_credential_date_and_valid_with_markup_and_linkedin(certificate):
    page = Client().get(f"/verify/{certificate.code}/")

    assert page.status_code == 200
    assert "Ana Ruiz" in page.text and "CPMA Level I Certification" in page.text
    assert "30 November 2026" in page.text and "<strong>Valid</strong>" in page.text
    [markup] = JSON_LD.findall(page.text)
    data = json.loads(markup)
    assert data["@type"] == "EducationalOccupationalCredential"
    assert data["name"] == "CPMA Level I Certification" and data["identifier"] == certificate.code
    link = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', page.text).group(1)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["CPMA Level I Certification"]
    assert query["issueYear"] == ["2026"] and query["issueMonth"] == ["11"]
    assert query["certId"] == [certificate.code]
    assert query["certUrl"][0].endswith(f"/verify/{certificate.code}/")
    assert query["organizationName"] == ["Creative Project Management Academy"]


def test_a_revoked_certificate_says_revoked_and_offers_no_linkedin(certificate):
    certificate.revoked_event_at = timezone.now()
    certificate.save()

    page = Client().get(f"/verify/{certificate.code}/")

    assert "<strong>Revoked</strong>" in page.text and "Valid" not in page.text
    assert "linkedin.com" not in page.text


def test_a_markup_name_cannot_close_the_script(certificate):
    certificate.holder_name = "</script><script>alert(1)</script>"
    certificate.save()

    page = Client().get(f"/verify/{certificate.code}/")

    assert "</script><script>alert(1)" not in page.text
    assert json.loads(JSON_LD.findall(page.text)[0])["about"]["name"] == certificate.holder_name


def test_an_unknown_or_unissued_code_is_only_not_found(certificate):
    pending = Certificate.objects.create(
        platform_id="cert_2", holder_email="x@y.example", product=certificate.product
    )

    for code in ("nope", pending.code):
        page = Client().get(f"/verify/{code}/")
        assert page.status_code == 404 and "Not found" in page.text
        assert "x@y.example" not in page.text


def test_the_lookup_finds_by_code_and_says_not_found_otherwise(certificate):
    client = Client()
    found = client.get("/verify/", {"code": f" {certificate.code} "})
    missing = client.get("/verify/", {"code": "no-such-code"})
    empty = client.get("/verify/")

    assert found.status_code == 302 and found["Location"] == f"/verify/{certificate.code}/"
    assert missing.status_code == 200 and "Not found" in missing.text and "Ana" not in missing.text
    assert empty.status_code == 200 and "Not found" not in empty.text


def test_the_lookup_is_rate_limited_per_client(certificate):
    client, other = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="203.0.113.6")
    for _ in range(LOOKUPS_PER_WINDOW):
        assert "Not found" in client.get("/verify/", {"code": "guess"}).text

    refused = client.get("/verify/", {"code": certificate.code})

    assert refused.status_code == 429 and "Too many checks" in refused.text
    assert other.get("/verify/", {"code": certificate.code}).status_code == 302


def test_the_holder_hides_their_page_by_post_and_it_then_says_not_public(certificate, client, sign_in):
    sign_in("ana@studio.example")
    purchases = client.get("/purchases/")
    assert f"/verify/{certificate.code}/" in purchases.text

    assert client.get(f"/verify/{certificate.code}/visibility/").status_code == 405
    hidden = client.post(f"/verify/{certificate.code}/visibility/", {"public": "no"})
    page = Client().get(f"/verify/{certificate.code}/")

    assert hidden.status_code == 302
    assert "not public" in page.text and "Ana Ruiz" not in page.text and "ld+json" not in page.text
    client.post(f"/verify/{certificate.code}/visibility/", {"public": "yes"})
    assert "Ana Ruiz" in Client().get(f"/verify/{certificate.code}/").text


def test_nobody_else_can_hide_the_page(certificate, client, sign_in):
    sign_in("mallory@studio.example")

    refused = client.post(f"/verify/{certificate.code}/visibility/", {"public": "no"})

    certificate.refresh_from_db()
    assert refused.status_code == 404 and certificate.hidden_at is None


def test_the_page_names_the_holder_and_nothing_else_of_theirs(certificate):
    page = Client().get(f"/verify/{certificate.code}/")
    [markup] = JSON_LD.findall(page.text)

    assert "ana@studio.example" not in page.text
    assert "studio.example" not in markup
    assert set(json.loads(markup)["about"]) == {"@type", "name"}


def test_guessing_codes_in_the_address_is_rate_limited_too(certificate):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(LOOKUPS_PER_WINDOW):
        assert client.get(f"/verify/guess-{n}/").status_code == 404

    refused = client.get("/verify/guess-again/")

    assert refused.status_code == 429 and "Too many checks" in refused.text
    assert client.get("/verify/", {"code": certificate.code}).status_code == 429  # one limit for both
    # A real certificate's page still opens: only misses count, so a link on a CV always works.
    assert client.get(f"/verify/{certificate.code}/").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.8").get("/verify/guess-0/").status_code == 404
