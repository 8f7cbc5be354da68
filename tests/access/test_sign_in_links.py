"""A sign-in link names a random nonce, never the address it was sent to: a link copied out of a log or a
browser history tells nobody whose purchases it opens."""

import base64
import binascii
import contextlib
import zlib

import pytest
from django.core import signing
from django.test import Client

from access import links
from tests.access.conftest import run_ready_tasks, sign_in_link_for

pytestmark = pytest.mark.django_db


def decoded_parts(token: str) -> list[bytes]:
    """Every piece of a signed token (payload, timestamp, signature) decoded as base64, uncompressed when
    signing compressed it: whatever anyone holding the link can read without the secret key."""
    parts = []
    for piece in token.lstrip(".").split(":"):
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except (binascii.Error, ValueError):
            continue
        parts.append(raw)
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(raw))
    return parts


def test_a_sign_in_token_does_not_carry_the_address():
    token = links.sign_in_token("Alice.Buyer@Example.com")

    readable = b" ".join(decoded_parts(token)).lower()
    assert b"alice" not in readable and b"example" not in readable
    assert "alice" not in token.lower()


def test_the_emailed_link_still_opens_the_buyers_page_once(paid_order, client):
    order = paid_order("level-i", 1, email="alice@example.com")
    client.post("/purchases/", {"email": "alice@example.com"})
    run_ready_tasks()
    link = sign_in_link_for("alice@example.com")

    shown = client.get(link)
    shown_again = client.get(link)  # mail scanners open links: a GET spends nothing
    pressed = client.post(link)
    page = client.get("/purchases/")
    again = Client().post(link)

    assert "alice@example.com" not in link
    assert shown.status_code == shown_again.status_code == 200 and "alice@example.com" in shown.text
    assert pressed.status_code == 302
    assert order.reference in page.text
    assert again.status_code == 410


def test_a_link_for_a_nonce_that_was_never_issued_is_invalid(client):
    made_up = signing.TimestampSigner(salt=links.SIGN_IN_SALT).sign_object({"n": "never-issued"})

    response = client.post(f"/purchases/sign-in/{made_up}/")

    assert response.status_code == 400 and "not valid" in response.text
