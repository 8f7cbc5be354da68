"""Helpers for payment request tests: send a request through the review page's form, find the payer's link
in the email, and deliver the events the fake Stripe emitted."""

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from invoicing.models import PaymentRequest

REQUEST_FIELDS = {
    "buyer_name": "Dana Head",
    "buyer_email": "dana@studio.example",
    "payer_name": "Max Manager",
    "payer_email": "max@studio.example",
    "ap_email": "ap@studio.example",
    "company_name": "Studio Ltd",
    "tax_id": "",
    "billing_country": "US",
    "note": "Training budget Q1",
}


def send_request(client, slug: str = "bundle", quantity: int = 10, po_number: str = "PO-4471", **fields: Any):
    fields = {"quantity": quantity, "po_number": po_number, **REQUEST_FIELDS, **fields}
    data = {"product": slug, **{f"request-{name}": value for name, value in fields.items()}}
    response = client.post(reverse("invoicing:request_payment"), data)
    return response, PaymentRequest.objects.order_by("-pk").first()


def payer_link(recipient: str = "max@studio.example") -> str:
    """The path of the latest payment request link emailed to `recipient`."""
    for message in reversed(mail.outbox):
        if recipient in message.to and (
            found := re.search(r"https?://[^/\s]+(/pay-request/\S+/)", message.body)
        ):
            return found.group(1)
    raise AssertionError(f"no payment request email to {recipient}")


def deliver_new_events(fake, deliver_event, seen: set[str], types: tuple[str, ...] = ("invoice.",)) -> int:
    """Deliver (signed, through the webhook) every event the fake emitted since, of the given kinds."""
    count = 0
    for event in list(fake.events):
        if event["id"] not in seen and event["type"].startswith(types):
            seen.add(event["id"])
            deliver_event(event)
            count += 1
    return count


@pytest.fixture(autouse=True)
def fresh_request_throttle():
    """The daily limit on payment request emails counts in the cache: each test starts at zero (modules
    that import this fixture get it for every test)."""
    cache.clear()
    yield
    cache.clear()
