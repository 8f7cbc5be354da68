"""A path segment holding NUL or another control character is a 400 on every route, before any view looks it
up (PostgreSQL refuses NUL in a query, which answered 500 on the payment request status page and the seat
manager's pages). Every route of the site with a captured segment is walked, signed in as a buyer with a
paid order, so the views that would query the database are reached."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from access.sessions import SESSION_EMAIL
from checkout.models import Order

pytestmark = pytest.mark.django_db

# Percent-encoded as a browser or a script sends them: NUL alone and inside a value, ESC, DEL, a C1 control.
HOSTILE_SEGMENTS = ["%00", "CPMA-000001%00", "%1B", "%7F", "%C2%9B"]


def routes_with_segments(patterns=None, prefix: str = "/") -> list[str]:
    """Every route (path(), not re_path()) of the site that captures part of the path, e.g.
    `/company-pays/<str:reference>/`."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += routes_with_segments(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "<" in route:
            found.append(route)
    return found


def filled(route: str, segment: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", segment, route)


@pytest.fixture
def signed_in_buyer(client):
    Order.objects.create(reference="CPMA-000001", email="buyer@example.com", status=Order.Status.PAID)
    session = client.session
    session[SESSION_EMAIL] = "buyer@example.com"
    session.save()
    client.raise_request_exception = False  # a 500 is an answer to count here, not an error in the test
    return client


def test_the_walk_finds_the_routes_that_failed():
    found = routes_with_segments()

    for route in (
        "/company-pays/<str:reference>/",
        "/purchases/orders/<str:reference>/seats/",
        "/purchases/orders/<str:reference>/seats.csv",
        "/purchases/orders/<str:reference>/seats/upload/",
        "/purchases/seats/<str:grant_token>/",
        "/purchases/seats/<str:grant_token>/reassign/",
    ):
        assert route in found


@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS)
def test_a_control_character_in_any_path_segment_is_a_400_on_every_route(signed_in_buyer, segment):
    answers = {}
    for route in routes_with_segments():
        path = filled(route, segment)
        for method in ("get", "post"):
            response = getattr(signed_in_buyer, method)(path)
            answers[f"{method.upper()} {path}"] = (
                response.status_code,
                "control character" in response.content.decode(errors="replace"),
            )

    assert {request: answer for request, answer in answers.items() if answer != (400, True)} == {}


def test_a_control_character_in_a_path_without_its_slash_is_refused_not_redirected(signed_in_buyer):
    assert signed_in_buyer.get("/company-pays/CPMA-000001%00").status_code == 400
    assert signed_in_buyer.get("/purchases/orders/%00/seats").status_code == 400


def test_ordinary_paths_are_not_refused(signed_in_buyer):
    assert signed_in_buyer.get("/purchases/orders/CPMA-000001/seats/").status_code != 400
    assert signed_in_buyer.get("/company-pays/CPMA-000001/").status_code == 404
    assert signed_in_buyer.get("/purchases/orders/CPMA-%C3%A9/seats/").status_code == 404
