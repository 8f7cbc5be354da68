"""What a refund sends: the buyer one refund receipt per refund (amount, date, where the money goes, how
long banks take, what happens to access, what remains), and each other holder address one "access has
ended". The receipt that refunds the order in full is the buyer's only email about it; a lost dispute
still tells every holder, the buyer included."""

import pytest
from django.core import mail

from checkout.models import EmailDelivery
from tests.checkout.conftest import run_ready_tasks
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def receipts(order) -> list:
    return [m for m in mail.outbox if m.subject.startswith("Refund of") and order.reference in m.subject]


def ended_emails() -> list:
    return [m for m in mail.outbox if "access has ended" in m.subject]


def html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


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
    assert (
        "Access from this order ends for all 5 seats: 5 × CPMA Bundle." in body
        and "Kit download links stop working" in body
    )
    assert EmailDelivery.objects.filter(order=order, purpose__startswith="refund-receipt-").count() == 1
    # The receipt is the buyer's one email about it; Ana, who holds a seat, hears from access.
    assert [m.subject for m in mail.outbox if m.to == ["lead@studio.example"]] == [receipt.subject]
    [ended] = [m for m in mail.outbox if "access has ended" in m.subject]
    assert ended.to == ["ana@studio.example"] and "the order was refunded" in ended.body


def test_a_partial_refund_says_what_remains_and_that_access_continues(paid_order, fake_stripe, deliver_event):
    order = paid_order("resume-kit", quantity=2, email="pat@example.com")

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=6700)))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=1000)))

    first, second = receipts(order)
    assert "partial refund" in first.body
    assert "$67 has now been refunded and $67 remains paid" in first.body
    assert "$77 has now been refunded and $57 remains paid" in second.body
    assert "continues" in second.body and "all 2 seats" in second.body
    assert "$77 has now been refunded and $57 remains paid" in html(second)
    assert ended_emails() == []


def test_a_full_refund_of_a_level_i_seat_sends_the_buyer_one_email_that_speaks_of_no_download(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("level-i", email="pat@example.com", name="Pat")
    mail.outbox.clear()

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))

    order.refresh_from_db()
    assert order.status == "refunded" and set(order.grants.values_list("state", flat=True)) == {"revoked"}
    [receipt] = mail.outbox
    assert receipt.subject == f"Refund of $147 for order {order.reference}"
    for part in (receipt.body, html(receipt)):
        assert "Your access from this order ends: 1 × CPMA Level I Certification." in part
        assert "CPMA Level I Certification" in part and "Creative Project Management Academy" in part
        assert "download" not in part.lower() and "Anyone you gave a seat to" not in part
    assert not EmailDelivery.objects.filter(order=order, purpose="access-ended").exists()


def test_two_refunds_that_add_up_to_the_total_send_two_receipts_and_no_access_ended(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("resume-kit", quantity=2, email="pat@example.com")
    mail.outbox.clear()

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=6700)))
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=6700)))

    first, second = receipts(order)
    assert "partial refund" in first.body and "refunded in full" in second.body
    assert "Access from this order ends for all 2 seats" in second.body
    assert "Kit download links stop working" in second.body
    assert [m.to for m in mail.outbox] == [["pat@example.com"], ["pat@example.com"]]
    assert set(order.grants.values_list("state", flat=True)) == {"revoked"}


def test_a_full_refund_that_fails_after_its_receipt_tells_the_buyer_access_is_back(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("level-i", email="pat@example.com", name="Pat")
    refund = fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("refund.created", refund))
    assert len(receipts(order)) == 1 and ended_emails() == []
    mail.outbox.clear()

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="failed")))

    order.refresh_from_db()
    assert order.status == "paid" and order.grants.get().state == "active"
    [again] = mail.outbox
    assert again.to == ["pat@example.com"] and "Your CPMA access" in again.subject


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
    assert ended.to == ["pat@example.com"]
    for part in (ended.body, html(ended)):
        assert "disputed by the card holder" in part and "refunded" not in part
