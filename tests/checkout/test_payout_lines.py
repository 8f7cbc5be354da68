"""A payout's balance transactions are fetched once it is paid, not before: until then Stripe may still
add to it, and lines fetched early would never be fetched again."""

import pytest

from payments.models import Payout, PayoutLine
from payments.payouts import sync_payout
from tests.checkout.conftest import completed_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(catalog, buy, fake_stripe, deliver_event):
    response, order = buy("level-i", 1)
    assert response.status_code == 303
    deliver_event(completed_event(fake_stripe, order))
    return order


def test_payout_lines_are_fetched_once_the_payout_is_paid_and_not_before(paid_order, fake_stripe):
    payout = fake_stripe.payout()
    fake_stripe.payouts[payout["id"]]["status"] = "in_transit"

    sync_payout(payout["id"])

    record = Payout.objects.get(stripe_payout_id=payout["id"])
    assert record.status == "in_transit"
    assert record.lines_fetched_at is None
    assert not PayoutLine.objects.exists()
    assert not [r for r in fake_stripe.requests if r.path.startswith("/v1/balance_transactions")]

    # Stripe settles one more movement into the payout before it is paid.
    late = fake_stripe._balance_transaction(2_500, 100, "usd", "charge", "ch_test_late")
    late["_payout"] = payout["id"]
    fake_stripe.payouts[payout["id"]]["status"] = "paid"

    sync_payout(payout["id"])

    record.refresh_from_db()
    assert record.status == "paid" and record.lines_fetched_at is not None
    fetched = set(PayoutLine.objects.values_list("stripe_balance_transaction_id", flat=True))
    assert late["id"] in fetched
    assert len(fetched) == 2  # the order's charge and the late movement; never the payout's own withdrawal


def test_a_paid_payout_is_fetched_once(paid_order, fake_stripe):
    payout = fake_stripe.payout()

    sync_payout(payout["id"])
    listed = len([r for r in fake_stripe.requests if r.path.startswith("/v1/balance_transactions")])
    sync_payout(payout["id"])

    assert listed == 1
    assert len([r for r in fake_stripe.requests if r.path.startswith("/v1/balance_transactions")]) == 1
