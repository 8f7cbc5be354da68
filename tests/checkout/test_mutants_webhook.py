"""Issue 34's mutant of payments.webhooks: an event id longer than the event log's column is refused, never
stored cut short (a cut id could match another event's and make a real event look like a duplicate)."""

import json

import pytest

from payments.models import StripeEvent
from tests.checkout.conftest import signed_post
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [256, 300, 5000])
def test_an_event_id_over_255_characters_is_refused_and_nothing_is_stored(client, fake_stripe, length):
    """Kills issue-34 mutant: payments/webhooks event ids over 255 characters accepted and truncated (70)."""
    event = make_event("checkout.session.completed", {"id": "cs_test_x", "object": "checkout.session"})
    event["id"] = "evt_" + "x" * (length - 4)

    response = signed_post(client, json.dumps(event).encode())

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_event_id_of_255_characters_is_taken_whole(client, fake_stripe):
    event = make_event("customer.created", {"id": "cus_test_x", "object": "customer"})
    event["id"] = "evt_" + "y" * 251

    response = signed_post(client, json.dumps(event).encode())

    assert response.status_code == 200
    assert StripeEvent.objects.get().event_id == event["id"]


@pytest.mark.parametrize("event_id", ["evt_a\x00b", "evt_a\nb", "evt_a  b", " evt_a"])
def test_an_event_id_the_log_would_store_altered_is_refused(client, fake_stripe, event_id):
    """Cleaning an id (control characters, doubled or outer spaces) would store another id than Stripe's."""
    event = make_event("customer.created", {"id": "cus_test_x", "object": "customer"})
    event["id"] = event_id

    response = signed_post(client, json.dumps(event).encode())

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
