"""Stripe's fee and net for a payment, from its charge's balance transaction (a background task, retried
until Stripe has made the transaction)."""

from collections.abc import Mapping

from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id
from common.tasks import retrying_task
from payments.models import Payment


def record_fees(payment_id: int) -> str:
    """Store Stripe's fee and net for a payment from its charge's balance transaction."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.fee_cents is not None:
        return "done"
    if not payment.stripe_charge_id:
        if not payment.stripe_payment_intent_id:
            return "no charge"
        intent = stripe_client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).to_dict()
        payment.stripe_charge_id = object_id(intent.get("latest_charge"))
        if not payment.stripe_charge_id:
            raise LookupError(f"payment {payment_id}: Stripe shows no charge yet")
    charge = stripe_client().v1.charges.retrieve(
        payment.stripe_charge_id, params={"expand": ["balance_transaction"]}
    )
    transaction = charge.to_dict().get("balance_transaction")
    if not isinstance(transaction, Mapping):
        raise LookupError(f"payment {payment_id}: Stripe has no balance transaction for the charge yet")
    Payment.objects.filter(pk=payment_id).update(
        stripe_charge_id=payment.stripe_charge_id,
        stripe_balance_transaction_id=object_id(transaction),
        fee_cents=transaction.get("fee"),
        net_cents=transaction.get("net"),
    )
    return "recorded"


@retrying_task
def record_payment_fees(payment_id: int) -> str:
    """Stripe's fee and net for a payment, from its charge's balance transaction."""
    return record_fees(payment_id)
