"""A refund that failed or was cancelled moved no money: it is not a movement in the transactions export,
while a pending one (the money is on its way back) is."""

import pytest

from finance.transactions import TransactionFilter, rows
from tests.checkout.conftest import completed_event
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(catalog, buy, fake_stripe, deliver_event):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()
    return order


def refund_rows() -> list[dict[str, str]]:
    movements = read_csv("\n".join(",".join(row) for row in rows(TransactionFilter())))
    return [m for m in movements if m["type"] == "refund"]


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
def test_a_refund_that_did_not_go_through_is_not_a_movement(paid_order, fake_stripe, deliver_event, outcome):
    refund = fake_stripe.refund(paid_order.stripe_session_id, amount=1000, status="pending")
    deliver_event(make_event("refund.created", refund))
    assert [r["stripe_refund_id"] for r in refund_rows()] == [refund["id"]]  # pending: on its way back

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status=outcome)))

    assert refund_rows() == []


def test_only_the_refund_that_went_through_is_exported_beside_a_failed_one(
    paid_order, fake_stripe, deliver_event
):
    failed = fake_stripe.refund(paid_order.stripe_session_id, amount=700, status="failed")
    deliver_event(make_event("refund.failed", failed))
    done = fake_stripe.refund(paid_order.stripe_session_id, amount=1000)
    deliver_event(make_event("refund.created", done))

    assert [(r["stripe_refund_id"], r["amount"]) for r in refund_rows()] == [(done["id"], "-10.00")]
