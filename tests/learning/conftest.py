"""Fixtures for learning tests: a paid Level I order with its grants, the events endpoint switched on,
and `post_event` that signs a payload as the course platform does."""

import json
import time
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from access import grants
from access.models import Grant
from checkout.models import Order
from common.signatures import SIGNATURE_HEADER, sign
from tests.access.conftest import sign_in  # noqa: F401  (a fixture these tests use)
from tests.checkout.conftest import run_ready_tasks
from tests.factories import make_order

SECRET = "course-platform-test-secret"
URL = "/course-platform/events/"
_seq = iter(range(1, 10**6))


@pytest.fixture(autouse=True)
def events_on(settings):
    settings.COURSE_PLATFORM_EVENTS_SECRET = SECRET
    settings.SITE_URL = "http://testserver"
    cache.clear()
    yield
    cache.clear()


def seated_order(product, seats: int, email: str = "head@studio.example") -> Order:
    order = make_order([(product, seats)], email=email, buyer_name="Dana Okafor")
    grants.converge_access(order.pk)
    return order


def assign(order: Order, seat: int, email: str, name: str = "") -> Grant:
    Grant.objects.filter(order=order, seat=seat).update(
        holder_email=email, holder_name=name or email.split("@")[0].title(), state=Grant.State.ACTIVE
    )
    return Grant.objects.filter(order=order, seat=seat).first()


def event(type_: str, email: str, slug: str = "level-i", created: int | None = None, **extra) -> dict:
    return {
        "id": f"evt_{next(_seq)}",
        "event": type_,
        "created": created or int(time.time()),
        "holder": {"email": email, "name": extra.pop("name", "Ana Ruiz")},
        "product": {"slug": slug},
        **extra,
    }


def post(payload, *, secret: str = SECRET, timestamp: int | None = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    return Client().post(
        URL, body, content_type="application/json", headers={SIGNATURE_HEADER: sign(body, secret, timestamp)}
    )


@pytest.fixture
def send() -> Callable:
    """POST each event signed, then run the tasks; returns the last response."""

    def send_all(*payloads):
        response = None
        for payload in payloads:
            response = post(payload)
            assert response.status_code == 200, response.content
        run_ready_tasks()
        return response

    return send_all
