""" "Your purchases" is in the header and the footer of every page, the same link for every visitor, so the
public pages stay one cached copy for everyone (config/public_cache.py)."""

import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_cache_on")]

HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)
FOOTER = re.compile(r'<footer class="site-footer">.*?</footer>', re.S)
LINK = '<a href="/purchases/"'


@pytest.mark.parametrize("path", ["/", "/products/level-i/", "/faq/", "/purchases/", "/checkout/level-i/"])
def test_every_page_links_to_your_purchases_in_header_and_footer(client, catalog, faq_questions, path):
    page = client.get(path, follow=True).content.decode()

    assert LINK in HEADER.search(page).group(0) and "Your purchases" in HEADER.search(page).group(0)
    assert LINK in FOOTER.search(page).group(0)


def test_the_link_keeps_public_pages_one_cached_copy_for_everyone(client, catalog):
    first = client.get("/")
    second = Client().get("/")

    assert first["X-Cache"] == "MISS" and second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert "Signed in" not in second.content.decode()


def test_a_signed_in_buyer_sees_the_same_header_link(client, catalog):
    session = client.session
    session["access_email"] = "pat@example.com"
    session.save()

    page = client.get("/").content.decode()

    assert "pat@example.com" not in page
    assert LINK in HEADER.search(page).group(0)
