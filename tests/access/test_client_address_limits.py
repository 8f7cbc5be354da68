"""Per-address limits count per client, not per load balancer: behind a trusted proxy (TRUSTED_PROXIES) two
visitors have a limit each; from an untrusted address a forged X-Forwarded-For changes nothing; the admin
lockout's records and the access log name the same client."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

BALANCER = "10.0.0.5"


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    settings.SIGN_IN_LIMIT_PER_IP = 2
    settings.SIGN_IN_LIMIT_PER_EMAIL = 100
    cache.clear()
    yield
    cache.clear()


def ask_for_links(client: Client, times: int, **headers: str) -> list[int]:
    return [
        client.post("/purchases/", {"email": f"v{n}@example.com"}, **headers).status_code
        for n in range(times)
    ]


def test_behind_a_trusted_proxy_two_visitors_get_a_limit_each(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    balancer = Client(REMOTE_ADDR=BALANCER)

    first = ask_for_links(balancer, 3, HTTP_X_FORWARDED_FOR="203.0.113.9")
    second = ask_for_links(balancer, 3, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert first == [200, 200, 429]
    assert second == [200, 200, 429]


def test_without_trusted_proxies_everyone_behind_the_balancer_shares_its_limit(settings, db):
    settings.TRUSTED_PROXIES = []
    balancer = Client(REMOTE_ADDR=BALANCER)

    first = ask_for_links(balancer, 2, HTTP_X_FORWARDED_FOR="203.0.113.9")
    second = ask_for_links(balancer, 1, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert (first, second) == ([200, 200], [429])


def test_a_forged_forwarded_for_from_an_untrusted_address_does_not_escape_the_limit(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    attacker = Client(REMOTE_ADDR="192.0.2.66")

    answers = [
        attacker.post(
            "/purchases/", {"email": f"x{n}@example.com"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 429, 429]


def test_a_client_prepending_addresses_behind_the_proxy_is_still_counted_as_itself(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    balancer = Client(REMOTE_ADDR=BALANCER)

    answers = [
        balancer.post(
            "/purchases/", {"email": f"y{n}@example.com"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9"
        ).status_code
        for n in range(3)
    ]

    assert answers == [200, 200, 429]


@pytest.mark.parametrize("garbage", ["nonsense", "203.0.113.9, \x00", ", ,", "1" * 4000])
def test_a_garbage_header_behind_the_proxy_is_answered_and_counted_safely(settings, db, garbage):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    balancer = Client(REMOTE_ADDR=BALANCER)

    answers = ask_for_links(balancer, 3, HTTP_X_FORWARDED_FOR=garbage)

    assert answers == [200, 200, 429]  # counted under the balancer's own address: nothing believed


def test_the_admin_lockout_records_the_client_behind_the_proxy(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9")

    client.post(reverse("admin:login"), {"username": "alice", "password": "wrong"})

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("alice", "203.0.113.9")]
