"""Stripe's fee and net for a payment, and what it settled as (amount, currency and exchange rate:
checkout.stripe_values.Settlement), from its charge's balance transaction (a background task, retried until Stripe has
made the transaction)."""

from checkout import stripe_gateway
from common.tasks import PAYMENTS_QUEUE, retrying_task
from payments.models import Payment
from payments.settlement import settlement_fields


def record_fees(payment_id: int) -> str:
    """Store Stripe's fee, net and settlement for a payment from its charge's balance transaction."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.fee_cents is not None and payment.settlement_currency:
        return "done"
    if not payment.stripe_charge_id:
        if not payment.stripe_payment_intent_id:
            return "no charge"
        payment.stripe_charge_id = stripe_gateway.latest_charge_id(payment.stripe_payment_intent_id)
        if not payment.stripe_charge_id:
            raise LookupError(f"payment {payment_id}: Stripe shows no charge yet")
    transaction = stripe_gateway.charge_balance_transaction(payment.stripe_charge_id)
    if transaction is None:
        raise LookupError(f"payment {payment_id}: Stripe has no balance transaction for the charge yet")
    Payment.objects.filter(pk=payment_id).update(
        stripe_charge_id=payment.stripe_charge_id,
        stripe_balance_transaction_id=transaction.id,
        fee_cents=transaction.fee_cents,
        net_cents=transaction.net_cents,
        **settlement_fields(transaction.settlement),
    )
    return "recorded"


@retrying_task(queue=PAYMENTS_QUEUE)
def record_payment_fees(payment_id: int) -> str:
    """Stripe's fee and net for a payment, from its charge's balance transaction."""
    return record_fees(payment_id)
