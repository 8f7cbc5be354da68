"""The visitor's currency: the header's switch (a plain POST that works without JavaScript), the choice
kept in the session and a cookie, the first guess from Accept-Language or the deployment's country header,
bad values falling back without an error page, and the page cache keyed on the currency."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from catalog.currency import COOKIE_NAME, SESSION_KEY, currency_for_languages, visitor_currency
from catalog.money import format_money
from tests.config.conftest import forget_public_pages, public_cache_on  # noqa: F401 (a fixture)

SWITCH = "/currency/"
SITE = "http://testserver"


def switch(client, currency: str, next_path: str = "/products/level-i/", **headers):
    headers.setdefault("HTTP_ORIGIN", SITE)
    return client.post(SWITCH, {"currency": currency, "next": next_path}, **headers)


def shown_price(client, catalog, slug: str = "level-i", **headers) -> str:
    return client.get(reverse("catalog:product", args=[slug]), **headers).content.decode()


def test_the_header_switch_is_a_plain_form_without_a_per_visitor_token(client, catalog):
    page = client.get("/products/level-i/").content.decode()

    assert '<form class="currency-switch" method="post" action="/currency/">' in page
    assert '<input type="hidden" name="next" value="/products/level-i/">' in page
    assert '<option value="GBP" title="pounds sterling">£ GBP</option>' in page
    assert '<button type="submit" class="currency-apply">' in page  # no script needed to apply it
    assert "csrfmiddlewaretoken" not in page


def test_choosing_pounds_keeps_it_in_session_and_cookie_and_returns_to_the_page(client, catalog):
    response = switch(client, "GBP")

    assert response.status_code == 303
    assert response["Location"] == "/products/level-i/"
    assert response.cookies[COOKIE_NAME].value == "GBP"
    assert response.cookies[COOKIE_NAME]["samesite"] == "Lax"
    assert client.session[SESSION_KEY] == "GBP"
    page = shown_price(client, catalog)
    assert format_money(catalog["level-i"].price_in("GBP"), "GBP") in page
    assert "Prices in pounds sterling." in page


def test_the_cookie_alone_keeps_the_choice_after_the_session_ends(client, catalog):
    switch(client, "EUR")
    client.cookies.pop(settings.SESSION_COOKIE_NAME)

    assert format_money(catalog["level-i"].price_in("EUR"), "EUR") in shown_price(client, catalog)


def test_the_choice_beats_the_browsers_language(client, catalog):
    switch(client, "USD")

    page = shown_price(client, catalog, HTTP_ACCEPT_LANGUAGE="en-GB")

    assert format_money(catalog["level-i"].price_cents, "USD") in page


@pytest.mark.parametrize("bad", ["XYZ", "", "jpy", "GBPX", "<script>"])
def test_an_unknown_or_unsupported_currency_in_the_switch_falls_back_to_dollars(client, catalog, bad):
    response = switch(client, bad)

    assert response.status_code == 303
    assert response.cookies[COOKIE_NAME].value == "USD"
    assert format_money(catalog["level-i"].price_cents, "USD") in shown_price(client, catalog)


@pytest.mark.parametrize("bad", ["XYZ", "", "%C2%A3", "GB"])
def test_an_unknown_currency_in_the_address_is_ignored_without_an_error(client, catalog, bad):
    response = client.get(f"/products/level-i/?currency={bad}")

    assert response.status_code == 200
    assert format_money(catalog["level-i"].price_cents, "USD") in response.content.decode()


def test_a_currency_in_the_address_shows_that_page_in_it_without_keeping_it(client, catalog):
    page = client.get("/products/level-i/?currency=gbp").content.decode()

    assert format_money(catalog["level-i"].price_in("GBP"), "GBP") in page
    assert COOKIE_NAME not in client.cookies
    assert format_money(catalog["level-i"].price_cents, "USD") in shown_price(client, catalog)


@pytest.mark.parametrize(
    "target", ["https://evil.example/products/", "//evil.example/", "javascript:alert(1)", "", "products/x"]
)
def test_next_must_be_a_page_of_this_site(client, catalog, target):
    response = switch(client, "GBP", next_path=target)

    assert response.status_code == 303
    assert response["Location"] == "/"


def test_next_loses_a_currency_in_its_address_that_would_undo_the_choice(client, catalog):
    response = switch(client, "EUR", next_path="/checkout/level-i/?quantity=3&currency=GBP")

    assert response["Location"] == "/checkout/level-i/?quantity=3"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": None, "HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_ORIGIN": None},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_a_switch_posted_from_another_site_changes_nothing(client, catalog, headers):
    headers = {key: value for key, value in headers.items() if value is not None}
    if "HTTP_ORIGIN" not in headers and "HTTP_SEC_FETCH_SITE" not in headers:
        response = client.post(SWITCH, {"currency": "GBP", "next": "/"}, **headers)
    else:
        response = switch(client, "GBP", **headers)

    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies
    assert format_money(catalog["level-i"].price_cents, "USD") in shown_price(client, catalog)


def test_a_same_site_referer_is_enough_for_browsers_that_send_no_origin(client, catalog):
    response = client.post(SWITCH, {"currency": "GBP", "next": "/"}, HTTP_REFERER=f"{SITE}/products/level-i/")

    assert response.status_code == 303 and response.cookies[COOKIE_NAME].value == "GBP"


def test_the_switch_takes_only_posts(client, db):
    assert client.get(SWITCH).status_code == 405


@pytest.mark.parametrize(
    ("header", "currency"),
    [
        ("en-GB,en;q=0.9", "GBP"),
        ("de-AT", "EUR"),
        ("en-IE", "EUR"),
        ("fr", "EUR"),
        ("nl-NL,nl;q=0.9,en;q=0.5", "EUR"),
        ("en-US,en;q=0.9", ""),
        ("fr-CA,fr;q=0.9", ""),
        ("en-US;q=0.5, en-GB", "GBP"),  # the higher quality wins, not the first written
        ("en-GB;q=0", ""),
        ("es", ""),
        ("sr-Latn-RS", ""),
        ("", ""),
        ("garbage;q=x,,;", ""),
    ],
)
def test_accept_language_gives_the_first_guess(header, currency):
    assert currency_for_languages(header) == currency


def test_a_new_visitor_sees_the_guess_from_accept_language(client, catalog):
    page = shown_price(client, catalog, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert format_money(catalog["level-i"].price_in("EUR"), "EUR") in page


def test_the_country_header_counts_only_when_the_deployment_names_it(client, catalog, settings):
    assert visitor_currency(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="GB")) == "USD"

    settings.CURRENCY_COUNTRY_HEADER = "CF-IPCountry"

    assert visitor_currency(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="GB")) == "GBP"
    assert visitor_currency(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="ie")) == "EUR"
    # The country beats the language; an unknown country leaves the language to decide.
    assert (
        visitor_currency(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="FR", HTTP_ACCEPT_LANGUAGE="en-GB"))
        == "EUR"
    )
    assert (
        visitor_currency(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="XX", HTTP_ACCEPT_LANGUAGE="en-GB"))
        == "GBP"
    )


@pytest.mark.usefixtures("public_cache_on")
def test_the_page_cache_keeps_one_copy_per_currency(client, catalog):
    pounds = format_money(catalog["level-i"].price_in("GBP"), "GBP")
    dollars = format_money(catalog["level-i"].price_cents, "USD")

    first_gb = client.get("/products/level-i/", HTTP_ACCEPT_LANGUAGE="en-GB")
    first_us = client.get("/products/level-i/", HTTP_ACCEPT_LANGUAGE="en-US")
    second_gb = client.get("/products/level-i/", HTTP_ACCEPT_LANGUAGE="en-GB")
    second_us = client.get("/products/level-i/")

    assert (first_gb["X-Cache"], first_us["X-Cache"]) == ("MISS", "MISS")
    assert (second_gb["X-Cache"], second_us["X-Cache"]) == ("HIT", "HIT")
    assert pounds in second_gb.content.decode() and dollars not in second_gb.content.decode()
    assert dollars in second_us.content.decode() and pounds not in second_us.content.decode()
    vary = second_gb["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


@pytest.mark.usefixtures("public_cache_on")
def test_the_currency_cookie_picks_its_own_cached_copy(client, catalog):
    client.get("/products/level-i/")  # the dollar copy, stored
    client.cookies[COOKIE_NAME] = "EUR"

    response = client.get("/products/level-i/")

    assert response["X-Cache"] == "MISS"
    assert format_money(catalog["level-i"].price_in("EUR"), "EUR") in response.content.decode()
    forget_public_pages()
