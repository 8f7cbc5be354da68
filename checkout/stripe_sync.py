"""Ask Stripe what is true now, then converge the order (checkout.fulfilment). Called by background tasks,
the success page (for the buyer's own session) and `reconcile_stripe`; never by the webhook request.

An event only tells us which order to look at: its snapshot may be stale or arrive out of order, so the
session, refunds and disputes are fetched before anything is written.
"""

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import stripe
from django.utils import timezone

from checkout import fulfilment, selectors
from checkout.models import Order, Payment, Payout, PayoutLine, StripeEvent
from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line

logger = logging.getLogger("checkout")

SESSION_EXPAND = ["payment_intent", "payment_intent.latest_charge", "invoice"]
PAGE_SIZE = 100


def fetch_session(session_id: str) -> dict[str, Any]:
    session = stripe_client().v1.checkout.sessions.retrieve(session_id, params={"expand": SESSION_EXPAND})
    return session.to_dict()


def listed(resource: Any, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in resource.list(params={"limit": PAGE_SIZE, **params}).auto_paging_iter():
        yield item.to_dict()


def sync_order(order_id: int, *, source: str) -> Order | None:
    """Fetch the order's session, refunds and disputes from Stripe and converge on all of them."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return order
    intent_ids = []
    if order.stripe_session_id:
        session = fetch_session(order.stripe_session_id)
        fulfilment.converge_session(session, source=source)
        intent_ids.append(object_id(session.get("payment_intent")))
    # A payment request's invoice is paid through its own PaymentIntent (no session): its refunds too.
    intent_ids += Payment.objects.filter(order_id=order_id, stripe_invoice_id__isnull=False).values_list(
        "stripe_payment_intent_id", flat=True
    )
    client = stripe_client().v1
    for intent_id in dict.fromkeys(i for i in intent_ids if i):
        for refund in listed(client.refunds, {"payment_intent": intent_id}):
            fulfilment.converge_refund(refund, source=source, reference=order.reference or "")
        for dispute in listed(client.disputes, {"payment_intent": intent_id}):
            fulfilment.converge_dispute(dispute, source=source, reference=order.reference or "")
    return Order.objects.get(pk=order_id)


def order_for_payment_intent(intent_id: str, reference: str = "") -> Order | None:
    """Our order for a PaymentIntent: from our records, else from the reference Stripe keeps in the
    PaymentIntent's metadata (a refund or dispute may arrive before the payment was recorded here)."""
    if not intent_id and not reference:
        return None
    order = selectors.order_for_payment_intent_here(intent_id, reference)
    if order is None and not reference and intent_id:
        intent = stripe_client().v1.payment_intents.retrieve(intent_id).to_dict()
        reference = single_line((intent.get("metadata") or {}).get("order_reference"), 20)
        order = selectors.order_for_payment_intent_here("", reference)
    return order


def handle_session_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    session_id = object_id(data.get("id"))
    if not session_id.startswith("cs_"):
        return None
    return fulfilment.converge_session(fetch_session(session_id), source=source)


def handle_money_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A charge, refund or dispute event: find the order, then sync everything Stripe has for it."""
    reference = single_line((data.get("metadata") or {}).get("order_reference"), 20)
    order = order_for_payment_intent(object_id(data.get("payment_intent")), reference)
    if order is None:
        logger.warning("%s %s (%s) matches no order", data.get("object"), object_id(data.get("id")), source)
        return None
    return sync_order(order.pk, source=source)


def sync_payout(payout_id: str) -> Payout:
    """Record a Stripe payout and, once it is paid, the balance transactions it settles."""
    client = stripe_client().v1
    data = client.payouts.retrieve(payout_id).to_dict()
    payout, _ = Payout.objects.update_or_create(
        stripe_payout_id=object_id(data.get("id")),
        defaults={
            "amount_cents": data.get("amount") or 0,
            "currency": single_line(data.get("currency"), 3).upper(),
            "status": single_line(data.get("status"), 30),
            "arrival_date": stripe_time(data.get("arrival_date")),
            "created": stripe_time(data.get("created")) or timezone.now(),
        },
    )
    if payout.status == "paid" and payout.lines_fetched_at is None:
        for item in listed(client.balance_transactions, {"payout": payout.stripe_payout_id}):
            if item.get("type") == "payout":
                continue  # the payout's own withdrawal from the balance
            PayoutLine.objects.update_or_create(
                stripe_balance_transaction_id=object_id(item.get("id")),
                defaults={
                    "payout": payout,
                    "type": single_line(item.get("type"), 40),
                    "source_id": object_id(item.get("source")),
                    "amount_cents": item.get("amount") or 0,
                    "fee_cents": item.get("fee") or 0,
                    "net_cents": item.get("net") or 0,
                    "currency": single_line(item.get("currency"), 3).upper(),
                    "created": stripe_time(item.get("created")) or timezone.now(),
                },
            )
        Payout.objects.filter(pk=payout.pk).update(lines_fetched_at=timezone.now())
    return payout


def handle_invoice_event(data: Mapping[str, Any], *, source: str) -> Order | None:
    """A payment request's invoice converges its request and order; any other invoice (the one Checkout
    makes after a card payment) is stored on its order."""
    invoice_id = object_id(data.get("id"))
    if not invoice_id.startswith("in_"):
        return None
    invoice = stripe_client().v1.invoices.retrieve(invoice_id, params={"expand": ["payments"]}).to_dict()
    return fulfilment.converge_request_invoice(invoice, source=source) or fulfilment.converge_invoice(
        invoice, source=source
    )


def refresh_invoice(order_id: int) -> None:
    """Best effort: fetch the order's invoice when we know its id but not its links yet. A Stripe error
    leaves the order as it is (the email then goes without the link; invoice events fill it in later)."""
    order = Order.objects.filter(pk=order_id).only("invoice_id", "invoice_pdf_url").first()
    if order is None or not order.invoice_id.startswith("in_") or order.invoice_pdf_url:
        return
    try:
        invoice = stripe_client().v1.invoices.retrieve(order.invoice_id).to_dict()
    except stripe.StripeError as exc:
        logger.warning("order %s: invoice %s not fetched: %s", order_id, order.invoice_id, type(exc).__name__)
        return
    fulfilment.converge_invoice(invoice, source="task")


def handle_payout_event(data: Mapping[str, Any], *, source: str) -> None:
    payout_id = object_id(data.get("id"))
    if payout_id.startswith("po_"):
        sync_payout(payout_id)


HANDLERS = {
    "invoice.finalized": handle_invoice_event,
    "invoice.paid": handle_invoice_event,
    "invoice.voided": handle_invoice_event,
    "invoice.marked_uncollectible": handle_invoice_event,
    "customer_cash_balance_transaction.created": fulfilment.handle_cash_balance_event,
    "payout.paid": handle_payout_event,
    "payout.updated": handle_payout_event,
    "payout.failed": handle_payout_event,
    "checkout.session.completed": handle_session_event,
    "checkout.session.async_payment_succeeded": handle_session_event,
    "checkout.session.async_payment_failed": handle_session_event,
    "checkout.session.expired": handle_session_event,
    "charge.refunded": handle_money_event,
    "charge.refund.updated": handle_money_event,
    "refund.created": handle_money_event,
    "refund.updated": handle_money_event,
    "refund.failed": handle_money_event,
    "charge.dispute.created": handle_money_event,
    "charge.dispute.updated": handle_money_event,
    "charge.dispute.closed": handle_money_event,
    "charge.dispute.funds_withdrawn": handle_money_event,
    "charge.dispute.funds_reinstated": handle_money_event,
}


def handle_event(event_pk: int) -> str:
    """Act on a recorded webhook event once (the background task's body)."""
    record = StripeEvent.objects.filter(pk=event_pk).first()
    if record is None or record.handled_at is not None:
        return "done"
    handler = HANDLERS.get(record.type)
    order = None
    if handler is not None:
        data = (record.payload.get("data") or {}).get("object") or {}
        try:
            order = handler(data, source=record.event_id)
        except stripe.InvalidRequestError as exc:
            # Stripe says the object does not exist (another account's id, a deleted test object):
            # retrying cannot help. Other Stripe errors (outage, timeout) raise and the task retries.
            logger.warning(
                "event %s: Stripe refused the lookup: %s", record.event_id, exc.user_message or exc
            )
    StripeEvent.objects.filter(pk=event_pk).update(handled_at=timezone.now(), order=order)
    return "handled"


def record_payment_fees(payment_id: int) -> str:
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
