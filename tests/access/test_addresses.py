"""Addresses compare exactly once normalised: a look-alike address never opens another buyer's purchases."""

import pytest
from django.core import mail

from access import links, selectors
from access.models import Grant
from common.text import normalise_email
from teams import claims
from tests.access.conftest import run_ready_tasks, sign_in_link_for

VICTIM = "alice@gmail.com"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("  Alice@Gmail.COM ", "alice@gmail.com"),
        ("alice@gmaıl.com", "alice@xn--gmal-nza.com"),  # dotless ı: another domain, compared in xn-- form
        ("alice@ＧＭＡＩＬ.com", "alice@gmail.com"),  # full-width letters route to the same domain by IDNA
        ("alice@\u0430pple.com", "alice@xn--pple-43d.com"),  # Cyrillic а in a mixed-script domain
        (
            "ali\u212ace@gmail.com",
            "ali\u212ace@gmail.com",
        ),  # Kelvin sign: non-ASCII local part is never folded
        ("Ünïcode@example.com", ""),  # not an address Django accepts: refused, never stored
        ("no-at-sign", ""),
        ("a@b@c.com", ""),
        # Invisible characters go from the local part and the domain alike (IDNA drops some only there).
        ("ali\u200bce@gmail.com", "alice@gmail.com"),
        ("alice@gma\u200dil.com", "alice@gmail.com"),
        ("\ufeffalice@gmail.com\u200e", "alice@gmail.com"),
        ("al\u00adice@gm\u2060ail.com", "alice@gmail.com"),
    ],
)
def test_one_normal_form(typed, normalised):
    assert normalise_email(typed) == normalised


@pytest.mark.parametrize(
    "look_alike",
    ["alice@gmaıl.com", "alice@gm\u0430il.com", "ali\u212ae@gmail.com", "ALİCE@gmail.com"],
)
def test_a_look_alike_address_sees_nothing_of_another_buyers_purchases(
    paid_order, client, sign_in, look_alike
):
    order = paid_order("level-i", 2, email=VICTIM)
    claim_token = claims.claim_token(Grant.objects.get(order=order, seat=2))

    assert not selectors.has_purchases(look_alike)
    assert selectors.orders_bought_by(look_alike) == []
    assert selectors.holdings_for(look_alike) == []
    mail.outbox.clear()
    client.post("/purchases/", {"email": look_alike})
    run_ready_tasks()
    assert mail.outbox == []  # no sign-in link goes to the look-alike domain

    # Even a genuine sign-in token for the look-alike opens nothing of hers.
    client.post(f"/purchases/sign-in/{links.sign_in_token(look_alike)}/")
    page = client.get("/purchases/").content.decode()
    assert order.reference not in page
    assert claim_token not in page


def test_the_same_address_typed_differently_still_signs_in(paid_order, client):
    order = paid_order("level-i", 1, email=VICTIM)
    mail.outbox.clear()

    client.post("/purchases/", {"email": " Alice@GMAIL.com "})
    run_ready_tasks()
    client.post(sign_in_link_for(VICTIM))  # the link goes to the address in its normal form

    assert order.reference in client.get("/purchases/").content.decode()
