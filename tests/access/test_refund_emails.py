"""What a refund sends: the buyer one refund receipt per refund (amount, date, where the money goes, how
long banks take, what happens to access, what remains), and each holder address one "access has ended"."""

import pytest
from django.core import mail

from checkout.models import EmailDelivery
from tests.checkout.conftest import run_ready_tasks
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def receipts(order) -> list:
    return [m for m in mail.outbox if m.subject.startswith("Refund of") and order.reference in m.subject]


def five_seats_buyer_holding_two(paid_order, client, sign_in):
    order = paid_order("bundle", quantity=5, email="lead@studio.example", name="Lee Lead")
    sign_in("lead@studio.example")
    # A second seat for the buyer herself: the seat manager refuses that now (one seat per person per
    # product), but orders from before that rule hold such seats.
    order.grants.filter(seat=2).update(
        holder_name="Lee at home", holder_email="lead@studio.example", state="active"
    )
    token = order.grants.filter(seat=3).first().token
    client.post(f"/purchases/seats/{token}/", {"name": "Ana Editor", "email": "ana@studio.example"})
    run_ready_tasks()
    assert order.grants.filter(seat=3, holder_email="ana@studio.example").exists()
    return order


def test_a_full_refund_of_five_seats_sends_the_buyer_one_receipt_naming_the_amount(
    paid_order, client, sign_in, fake_stripe, deliver_event
):
    order = five_seats_buyer_holding_two(paid_order, client, sign_in)
    mail.outbox.clear()
    refund = fake_stripe.refund(order.stripe_session_id)

    deliver_event(make_event("refund.created", refund))
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    deliver_event(make_event("refund.updated", refund))  # a redelivery changes nothing

    [receipt] = receipts(order)
    assert receipt.to == ["lead@studio.example"]
    assert receipt.subject == f"Refund of $1,485 for order {order.reference}"
    body = receipt.body
    assert "We have refunded $1,485 for order" in body
    assert "5 to 10 business days" in body
    assert "back to the card or account you paid with" in body
    assert "refunded in full" in body and "all 5 seats" in body
    assert "/purchases/open/" in body
    assert EmailDelivery.objects.filter(order=order, purpose__startswith="refund-receipt-").count() == 1
    # One "access has ended" per holder address: the buyer's two seats in one email, Ana's in hers.
    ended = [m for m in mail.outbox if "ended" in m.body and not m.subject.startswith("Refund of")]
    assert sorted(m.to[0] for m in ended) == ["ana@studio.example", "lead@studio.example"]
    buyers = next(m for m in ended if m.to == ["lead@studio.example"])
    assert "all 2 of your seats" in buyers.body and "the order was refunded" in buyers.body


def test_a_partial_refund_says_what_remains_and_that_access_continues(paid_order, fake_stripe, deliver_event):
    order = paid_order("resume-kit", quantity=2, email="pat@example.com")

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=6700)))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=1000)))

    first, second = receipts(order)
    assert "partial refund" in first.body
    assert "$67 has now been refunded and $67 remains paid" in first.body
    assert "$77 has now been refunded and $57 remains paid" in second.body
    assert "continues" in second.body and "all 2 seats" in second.body


def test_a_pending_refund_sends_no_receipt_until_it_succeeds(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", email="pat@example.com")
    refund = fake_stripe.refund(order.stripe_session_id, status="pending")

    deliver_event(make_event("refund.created", refund))
    assert receipts(order) == []

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="succeeded")))
    assert len(receipts(order)) == 1


def test_a_lost_dispute_tells_the_holder_the_dispute_wording_and_sends_no_refund_receipt(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("level-i", email="pat@example.com", name="Pat")
    dispute = fake_stripe.dispute(order.stripe_session_id)

    deliver_event(make_event("charge.dispute.created", dispute))
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=False)))

    assert receipts(order) == []
    [ended] = [m for m in mail.outbox if "has ended" in m.body]
    assert "disputed by the card holder" in ended.body and "refunded" not in ended.body
