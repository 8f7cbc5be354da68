"""When an order's money says access has ended: its claim links stop (even before the grants are revoked),
a later event never re-revokes what staff restored, and the purchases page folds the order into one line."""

import re

import pytest
from django.test import Client

from access import grants
from access.models import Grant
from checkout.models import Order
from payments import tasks
from payments.models import StripeEvent
from teams import claims
from tests.checkout.conftest import run_ready_tasks
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def claim_path(order: Order, seat: int = 2) -> str:
    grant = order.grants.filter(seat=seat).first()
    return f"/purchases/claim/{claims.claim_token(grant)}/"


def end_by(how: str, order: Order, fake_stripe, deliver_event, *, run: bool) -> None:
    if how == "refund":
        deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)), run=run)
    else:
        dispute = fake_stripe.dispute(order.stripe_session_id)
        deliver_event(make_event("charge.dispute.created", dispute), run=run)
        closed = fake_stripe.close_dispute(dispute["id"], won=False)
        deliver_event(make_event("charge.dispute.closed", closed), run=run)


@pytest.mark.parametrize("how", ["refund", "dispute"])
@pytest.mark.parametrize("access_converged", [False, True], ids=["before-revoke", "after-revoke"])
def test_a_claim_link_stops_working_after_a_full_refund_or_a_lost_dispute(
    paid_order, fake_stripe, deliver_event, how, access_converged
):
    order = paid_order("resume-kit", quantity=3, email="lead@example.com")
    path = claim_path(order)
    assert Client().get(path).status_code == 200  # it worked before
    end_by(how, order, fake_stripe, deliver_event, run=False)
    # Stripe's news is recorded (the events' own tasks), but access has not converged yet unless asked.
    for event in StripeEvent.objects.filter(handled_at__isnull=True):
        tasks.handle_stripe_event.call(event.pk)
    if access_converged:
        run_ready_tasks()
    assert Order.objects.get(pk=order.pk).status in Order.MONEY_RECEIVED
    unassigned_before = order.grants.filter(seat=2, state=Grant.State.UNASSIGNED).exists()
    assert unassigned_before != access_converged

    opened = Client().get(path)
    taken = Client().post(path, {"name": "Late Larry", "email": "larry@example.com"})

    assert opened.status_code == 410 and taken.status_code == 410
    reason = "disputed by the card holder" if how == "dispute" else "was refunded"
    assert reason in opened.content.decode()
    assert "has been claimed" not in opened.content.decode()
    assert not Grant.objects.filter(holder_email="larry@example.com").exists()


def test_a_full_refund_never_re_revokes_grants_staff_restored(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", quantity=2, email="lead@example.com")
    refund = fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("refund.created", refund))
    assert set(order.grants.values_list("state", flat=True)) == {"revoked"}
    held = order.grants.get(seat=1)

    grants.restore_grants([held.pk], source="staff:test")
    # Later news about the same refunded order converges access again, more than once.
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    grants.converge_access(order.pk)
    grants.revoke_access_for_order(order.pk, grants.REFUNDED_IN_FULL)
    run_ready_tasks()

    held.refresh_from_db()
    assert held.state == Grant.State.ACTIVE and held.restored_at is not None
    assert order.grants.get(seat=2).state == Grant.State.REVOKED


def test_a_refunded_order_folds_into_one_line_and_unassigned_seats_are_not_assigned(
    paid_order, fake_stripe, deliver_event, client, sign_in
):
    order = paid_order("level-i", quantity=5, email="lead@example.com")
    sign_in("lead@example.com")
    token = order.grants.get(seat=2).token
    client.post(f"/purchases/seats/{token}/", {"name": "Ana Editor", "email": "ana@example.com"})
    refund = fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("refund.created", refund))

    page = client.get("/purchases/").content.decode()

    summary = re.search(r"<summary>(.*?)</summary>", page, re.S).group(1)
    assert re.fullmatch(
        rf"Order {order.reference} · Refunded \$735 on \d+ \w+: access ended for 5 seats", summary.strip()
    ), summary
    assert page.count('<details class="card ended-order"') == 1
    assert "Seat 3: not assigned" in page and "revoked" not in page
    assert "Ana Editor (ana@example.com), access ended" in page
    assert "/access/download/" not in page
