"""Security headers on every kind of response: a public page, a 404 and the admin."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SIX_MONTHS = 15_768_000


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def assert_hardened(response) -> None:
    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    assert hsts[0].startswith("max-age=")
    assert int(hsts[0].removeprefix("max-age=")) >= SIX_MONTHS
    assert "includeSubDomains" in hsts
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'", settings.STRIPE_CHECKOUT_ORIGIN]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_public_page_is_hardened(client, catalog):
    response = client.get("/", secure=True)

    assert response.status_code == 200
    assert_hardened(response)


def test_cached_public_page_is_hardened_too(client, catalog, public_cache_on):
    client.get("/products/bundle/", secure=True)

    response = client.get("/products/bundle/", secure=True)

    assert response["X-Cache"] == "HIT"
    assert_hardened(response)


def test_not_found_page_is_hardened(client, db):
    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404
    assert_hardened(response)


def test_admin_login_and_admin_pages_are_hardened(client, db):
    assert_hardened(client.get(reverse("admin:login"), secure=True))

    client.force_login(make_staff("editor", group="Catalogue editors"))
    response = client.get(reverse("admin:catalog_product_changelist"), secure=True)

    assert response.status_code == 200
    assert_hardened(response)


def test_form_action_allows_the_configured_stripe_checkout_origin(client, db, settings):
    settings.STRIPE_CHECKOUT_ORIGIN = "http://127.0.0.1:12111"

    csp = csp_directives(client.get("/", secure=True))

    assert csp["form-action"] == ["'self'", "http://127.0.0.1:12111"]


def test_cookies_are_secure_and_http_only(client, db):
    make_staff("editor", password="a-long-test-password")
    login_url = reverse("admin:login")
    client.get(login_url, secure=True)

    response = client.post(login_url, {"username": "editor", "password": "a-long-test-password"}, secure=True)

    assert response.status_code == 302
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/products/bundle/")
    health = client.get("/healthz")

    assert page.status_code == 301
    assert page["Location"] == "https://testserver/products/bundle/"
    assert health.status_code == 200


def test_debug_error_pages_stay_readable_in_development(client, db, settings):
    settings.DEBUG = True

    assert "Content-Security-Policy" not in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/")
