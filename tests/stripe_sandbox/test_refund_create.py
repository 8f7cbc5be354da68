"""POST /v1/refunds on the fake: what the order admin's full refund relies on, held to Stripe's answers."""

import pytest
import stripe

from checkout.stripe_client import stripe_client

VALID = {
    "mode": "payment",
    "line_items": [
        {
            "price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "A kit"}},
            "quantity": 2,
        }
    ],
    "success_url": "http://testserver/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
}


@pytest.fixture
def intent_id(fake_stripe) -> str:
    session = stripe_client().v1.checkout.sessions.create(params=VALID)
    return fake_stripe.complete_session(session.id)["payment_intent"]


def test_a_refund_without_amount_gives_back_what_is_left_and_emits_its_events(fake_stripe, intent_id):
    refund = stripe_client().v1.refunds.create(params={"payment_intent": intent_id, "metadata": {"k": "v"}})
    assert (refund.amount, refund.status, refund.payment_intent) == (3000, "succeeded", intent_id)
    assert refund.metadata.to_dict() == {"k": "v"}
    assert [e["type"] for e in fake_stripe.events[-2:]] == ["refund.created", "charge.refunded"]
    assert fake_stripe.events[-1]["data"]["object"]["refunded"] is True


def test_a_refunded_charge_answers_charge_already_refunded(fake_stripe, intent_id):
    stripe_client().v1.refunds.create(params={"payment_intent": intent_id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client().v1.refunds.create(params={"payment_intent": intent_id})
    assert caught.value.code == "charge_already_refunded"


def test_an_unknown_parameter_is_refused_like_stripe(fake_stripe, intent_id):
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter"):
        stripe_client().v1.refunds.create(params={"payment_intent": intent_id, "full": True})  # type: ignore[typeddict-unknown-key]
