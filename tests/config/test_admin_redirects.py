"""Old admin addresses of the records that moved from checkout to payments and invoicing redirect
permanently to the new ones; order pages stay where they are; no input makes the redirect leave the site."""

import importlib
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.urls import clear_url_caches, resolve

from config.admin_redirects import MOVED_FROM_CHECKOUT, moved_admin_page

pytestmark = pytest.mark.django_db

MOVED = [
    ("stripeevent", "payments"),
    ("payment", "payments"),
    ("refund", "payments"),
    ("dispute", "payments"),
    ("payout", "payments"),
    ("payoutline", "payments"),
    ("paymentrequest", "invoicing"),
]
STAYED = ["order", "orderline", "orderevent", "emaildelivery"]


@pytest.fixture
def admin_at_backroom(settings):
    settings.ADMIN_URL = "backroom/"
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = "admin/"
    importlib.reload(config.urls)
    clear_url_caches()


def test_an_old_payment_address_redirects_permanently_keeping_path_and_query(client):
    response = client.get("/admin/checkout/payment/5/change/?x=1")

    assert response.status_code == 301
    assert response["Location"] == "/admin/payments/payment/5/change/?x=1"


@pytest.mark.parametrize(("model", "app"), MOVED)
@pytest.mark.parametrize("rest", ["", "5/change/", "5/history/", "add/", "5/delete/"])
def test_every_moved_model_redirects_to_its_new_app(client, model, app, rest):
    response = client.get(f"/admin/checkout/{model}/{rest}?o=-1&p=2")

    assert response.status_code == 301
    assert response["Location"] == f"/admin/{app}/{model}/{rest}?o=-1&p=2"


def test_a_filtered_payment_request_list_keeps_its_filters(client):
    response = client.get("/admin/checkout/paymentrequest/?state__exact=issued&q=Acme%20Ltd")

    assert response.status_code == 301
    assert response["Location"] == "/admin/invoicing/paymentrequest/?state__exact=issued&q=Acme%20Ltd"


def test_an_address_without_query_gets_none(client):
    assert client.get("/admin/checkout/stripeevent/")["Location"] == "/admin/payments/stripeevent/"


@pytest.mark.parametrize("model", ["stripeevent", "payout", "paymentrequest"])
def test_a_staff_bookmark_lands_on_the_page_at_its_new_address(admin_client, model):
    response = admin_client.get(f"/admin/checkout/{model}/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/admin/{MOVED_FROM_CHECKOUT[model]}/{model}/", 301)]


@pytest.mark.parametrize("model", STAYED)
def test_order_pages_are_not_redirected(client, model):
    response = client.get(f"/admin/checkout/{model}/5/change/")

    assert resolve(f"/admin/checkout/{model}/5/change/").func is not moved_admin_page
    assert response.status_code != 301
    assert "/payments/" not in response.get("Location", "")
    assert "/invoicing/" not in response.get("Location", "")


def test_the_order_list_still_opens_at_its_checkout_address(admin_client):
    response = admin_client.get("/admin/checkout/order/")

    assert response.status_code == 200


def test_a_similar_model_name_is_not_taken_for_a_moved_one(client):
    for path in ("/admin/checkout/payments/", "/admin/checkout/paymentx/", "/admin/checkout/Payment/"):
        assert resolve(path).func is not moved_admin_page, path


def test_the_redirects_follow_the_configured_admin_address(client, admin_at_backroom):
    response = client.get("/backroom/checkout/refund/7/change/?_changelist_filters=a%3D1")

    assert response.status_code == 301
    assert response["Location"] == "/backroom/payments/refund/7/change/?_changelist_filters=a%3D1"
    assert client.get("/admin/checkout/refund/7/change/").status_code == 404


def test_head_is_redirected_like_get(client):
    response = client.head("/admin/checkout/payout/3/change/")

    assert response.status_code == 301
    assert response["Location"] == "/admin/payments/payout/3/change/"


def test_a_form_posted_to_an_old_address_is_resent_not_dropped(admin_client):
    response = admin_client.post("/admin/checkout/paymentrequest/", {"action": "x"})

    assert response.status_code == 308
    assert response["Location"] == "/admin/invoicing/paymentrequest/"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/checkout/payment//evil.com",
        "/admin/checkout/payment//evil.com/",
        "/admin/checkout/payment///evil.com",
        "/admin/checkout/payment/%2F%2Fevil.com",
        "/admin/checkout/payment/https://evil.com/",
        "/admin/checkout/payment/5//change/",
        "/admin/checkout/payment/\\evil.com",
        "/admin/checkout/payment/%5C%5Cevil.com",
        "/admin/checkout/payment/%5C/evil.com",
        "/admin/checkout/payment/../../../evil.com",
        "/admin/checkout/payment/%2e%2e/%2e%2e/evil.com",
        "/admin/checkout/payment/./5/",
        "/admin/checkout/payment/5/change/?next=%5C%5Cevil.com",
        "/admin/checkout/payment/5/change/?next=\\\\evil.com",
    ],
)
def test_an_address_that_could_lead_off_site_is_not_found(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/admin/checkout/payment/a%00b/",
        # A line break cannot start another header: it never reaches the redirect.
        "/admin/checkout/payment/a%0D%0ASet-Cookie:%20x=1",
        "/admin/checkout/payment//%09/evil.com",
    ],
)
def test_a_control_character_in_an_old_admin_address_is_refused_before_any_redirect(client, path):
    """The path check (config.security) answers before the redirect is considered."""
    response = client.get(path)

    assert response.status_code == 400
    assert "Location" not in response


@pytest.mark.parametrize(
    ("path", "location"),
    [
        # Quoted again as it came: an encoded "%" stays encoded, so the target means the same path.
        ("/admin/checkout/payment/%2541/", "/admin/payments/payment/%2541/"),
        ("/admin/checkout/payment/Zo%C3%AB/", "/admin/payments/payment/Zo%C3%AB/"),
        ("/admin/checkout/payment/a%3Fb%23c/", "/admin/payments/payment/a%3Fb%23c/"),
        # Text that looks like a scheme is just a path segment here.
        ("/admin/checkout/payment/javascript:alert(1)", "/admin/payments/payment/javascript:alert(1)"),
        ("/admin/checkout/payment/@evil.com", "/admin/payments/payment/@evil.com"),
        (
            "/admin/checkout/payment/5/change/?next=//evil.com",
            "/admin/payments/payment/5/change/?next=//evil.com",
        ),
    ],
)
def test_odd_but_harmless_addresses_redirect_within_the_admin(client, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location
    assert "\r" not in response["Location"] and "\n" not in response["Location"]


@pytest.mark.parametrize(
    "rest",
    [
        "//evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "%2F%2Fevil.com",
        "http:evil.com",
        "..%2F..%2F",
    ],
)
def test_no_redirect_leaves_the_site(client, rest):
    response = client.get(f"/admin/checkout/payment/{rest}")

    if response.status_code == 301:
        location = response["Location"]
        assert urlsplit(location).scheme == "" and urlsplit(location).netloc == ""
        assert (
            urlsplit(urljoin("https://shop.example/admin/checkout/payment/", location)).netloc
            == "shop.example"
        )
        assert location.startswith("/admin/payments/payment/") and "//" not in location
    else:
        assert response.status_code == 404


def test_every_model_that_left_checkout_has_a_redirect():
    """A model keeping a checkout_ table under another app label is one that moved; each one has its redirect,
    to the app it is in now, and nothing else is redirected."""
    moved = {
        model._meta.model_name: model._meta.app_label
        for model in apps.get_models()
        if model._meta.db_table.startswith("checkout_") and model._meta.app_label != "checkout"
    }

    assert moved == MOVED_FROM_CHECKOUT == dict(MOVED)
