"""The admin: its address comes from the environment, plain users stay out, logins are throttled per account."""

import importlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from tests.factories import make_product, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every login attempt hashes a password; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def test_admin_lives_at_the_configured_address(client, admin_at_backroom):
    assert reverse("admin:index") == "/backroom/"
    assert client.get("/backroom/").status_code == 302  # to its login page
    assert client.get("/backroom/login/").status_code == 200
    assert client.get("/admin/").status_code == 404


def test_admin_address_defaults_to_admin():
    assert reverse("admin:index") == f"/{settings.ADMIN_URL}" == "/admin/"


def test_plain_user_never_reaches_admin_data(client):
    product = make_product(name="Secret draft product")
    user = User.objects.create_user("visitor", "visitor@example.com", PASSWORD)
    client.force_login(user)

    for url in (
        reverse("admin:index"),
        reverse("admin:catalog_product_changelist"),
        reverse("admin:catalog_product_change", args=[product.pk]),
        reverse("admin:checkout_order_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        assert "Secret draft product" not in response.content.decode()


def test_staff_without_permission_is_refused_the_data(client):
    make_product(name="Secret draft product")
    client.force_login(make_staff("nobody"))

    response = client.get(reverse("admin:catalog_product_changelist"))

    assert response.status_code == 403


def test_plain_user_cannot_sign_in_to_admin(client):
    User.objects.create_user("visitor", "visitor@example.com", PASSWORD)

    client.post(reverse("admin:login"), {"username": "visitor", "password": PASSWORD})

    assert client.get(reverse("admin:index")).status_code == 302


def login(client, username: str, password: str):
    return client.post(
        reverse("admin:login") + "?next=" + reverse("admin:index"),
        {"username": username, "password": password},
    )


def test_account_is_locked_after_repeated_failures_and_others_are_not(client):
    make_staff("alice", password=PASSWORD)
    make_staff("bob", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "alice", "wrong-password").status_code == 200  # the form, with an error
    assert login(client, "alice", "wrong-password").status_code == 429  # the last allowed failure locks

    locked = login(client, "alice", PASSWORD)
    other = type(client)()
    bob = login(other, "bob", PASSWORD)

    assert locked.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # still signed out
    assert bob.status_code == 302
    assert other.get(reverse("admin:index")).status_code == 200


def test_fewer_failures_than_the_limit_do_not_lock(client):
    make_staff("alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "alice", "wrong-password")

    assert login(client, "alice", PASSWORD).status_code == 302


def test_lock_ends_after_the_cool_off(client):
    make_staff("alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert login(client, "alice", PASSWORD).status_code == 302


def test_force_login_is_not_affected_by_the_lock(client):
    alice = make_staff("alice", password=PASSWORD, group="Catalogue editors")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")

    client.force_login(alice)

    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
