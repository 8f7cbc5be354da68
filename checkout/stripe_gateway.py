"""The one module that calls Stripe. Every request the shop makes of Stripe's API is a function here, and what
a caller reads of an answer is one of our own values (the frozen dataclasses below and in checkout's
stripe_values, stripe_credit_notes and stripe_payouts) or, for the objects a converge service still reads
whole (a Checkout Session, an invoice, an event), the object as a plain dict, fetched the one way each is.
The client is checkout.stripe_client's; tests/test_stripe_boundary.py fails when any other module calls
Stripe. Stripe's errors are re-exported as this module's, so callers catch them without importing stripe."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import stripe

from checkout.stripe_client import SESSION_EXPAND, stripe_client
from checkout.stripe_credit_notes import CreditNoteValue, credit_note_value
from checkout.stripe_payouts import BalanceTransaction, PayoutValue, balance_transaction_value, payout_value
from checkout.stripe_values import DisputeValue, RefundValue, dispute_value, object_id, refund_value

# What callers catch: any failure (outage, timeout, refusal), a refusal of the request itself (an unknown
# id, a parameter Stripe will not take), and a webhook body whose signature does not verify.
StripeError = stripe.StripeError
InvalidRequest = stripe.InvalidRequestError
SignatureError = stripe.SignatureVerificationError

PAGE_SIZE = 100


# What Stripe's resource_missing message names ("No such checkout.session: 'cs_…'"), as reconcile says it.
_KINDS = {"checkout.session": "session", "payment_intent": "payment intent"}


def unknown_to_stripe(error: StripeError, fallback: str) -> str | None:
    """The object a retrieve asked for and Stripe does not know ("session cs_…", say: an emptied sandbox
    after a restart, or another account's id); None for any other error. `fallback` names it when
    Stripe's message does not."""
    if not isinstance(error, InvalidRequest) or error.code != "resource_missing":
        return None
    found = re.search(r"No such ([\w.]+): '([^']{1,255})'", str(error.user_message or error))
    if found is None:
        return fallback
    return f"{_KINDS.get(found.group(1), found.group(1).replace('_', ' '))} {found.group(2)}"


INVOICE_EXPAND = ["payments"]


@dataclass(frozen=True)
class StartedSession:
    """A Checkout Session just made: its id and the address the buyer is sent to."""

    id: str
    url: str


@dataclass(frozen=True)
class CreatedRefund:
    """A refund Stripe made of a customer's cash balance: its id and status."""

    id: str
    status: str


def _listed(resource: Any, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in resource.list(params={"limit": PAGE_SIZE, **params}).auto_paging_iter():
        yield item.to_dict()


def _since(timestamp: int) -> dict[str, Any]:
    return {"created": {"gte": timestamp}}


# Checkout Sessions


def create_session(params: Mapping[str, Any], *, idempotency_key: str) -> StartedSession:
    session = stripe_client().v1.checkout.sessions.create(
        params=dict(params),  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return StartedSession(id=session.id, url=session.url or "")


def fetch_session(session_id: str) -> dict[str, Any]:
    """A Checkout Session as Stripe shows it now, with its money and invoice expanded."""
    session = stripe_client().v1.checkout.sessions.retrieve(session_id, params={"expand": SESSION_EXPAND})
    return session.to_dict()


def expire_session(session_id: str) -> bool:
    """Expire an open Checkout Session; False when Stripe refuses (it completed a moment ago, say)."""
    try:
        stripe_client().v1.checkout.sessions.expire(session_id)
    except InvalidRequest:
        return False
    return True


def sessions_since(timestamp: int) -> Iterator[dict[str, Any]]:
    return _listed(stripe_client().v1.checkout.sessions, _since(timestamp))


# Payments, refunds and disputes


def payment_intent_reference(intent_id: str) -> str:
    """The order reference Stripe keeps in a PaymentIntent's metadata ("" when none)."""
    intent = stripe_client().v1.payment_intents.retrieve(intent_id).to_dict()
    return str((intent.get("metadata") or {}).get("order_reference") or "")


def latest_charge_id(intent_id: str) -> str:
    """The PaymentIntent's latest charge ("" while Stripe shows none)."""
    intent = stripe_client().v1.payment_intents.retrieve(intent_id).to_dict()
    return object_id(intent.get("latest_charge"))


def charge_balance_transaction(charge_id: str) -> BalanceTransaction | None:
    """The charge's balance transaction (fee, net, settlement), None until Stripe has made it."""
    charge = stripe_client().v1.charges.retrieve(charge_id, params={"expand": ["balance_transaction"]})
    transaction = charge.to_dict().get("balance_transaction")
    return balance_transaction_value(transaction) if isinstance(transaction, dict) else None


def refunds_of(intent_id: str) -> Iterator[RefundValue]:
    """A payment's refunds, each with its balance transaction (what it took from the balance)."""
    params = {"payment_intent": intent_id, "expand": ["data.balance_transaction"]}
    return map(refund_value, _listed(stripe_client().v1.refunds, params))


def fetch_refund(refund_id: str) -> RefundValue:
    params = {"expand": ["balance_transaction"]}  # as refunds_of reads them
    return refund_value(stripe_client().v1.refunds.retrieve(refund_id, params=params).to_dict())


def disputes_of(intent_id: str) -> Iterator[DisputeValue]:
    return map(dispute_value, _listed(stripe_client().v1.disputes, {"payment_intent": intent_id}))


def refunds_since(timestamp: int) -> Iterator[RefundValue]:
    return map(refund_value, _listed(stripe_client().v1.refunds, _since(timestamp)))


def disputes_since(timestamp: int) -> Iterator[DisputeValue]:
    return map(dispute_value, _listed(stripe_client().v1.disputes, _since(timestamp)))


def refund_payment(
    intent_id: str, *, reason: str, metadata: Mapping[str, str], idempotency_key: str
) -> RefundValue:
    """Refund what is left of a PaymentIntent; raises InvalidRequest (code "charge_already_refunded") when
    nothing is."""
    refund = stripe_client().v1.refunds.create(
        params={"payment_intent": intent_id, "reason": reason, "metadata": dict(metadata)},  # type: ignore[typeddict-item]
        options={"idempotency_key": idempotency_key},
    )
    return refund_value(refund.to_dict())


# Payouts and events


def fetch_payout(payout_id: str) -> PayoutValue:
    return payout_value(stripe_client().v1.payouts.retrieve(payout_id).to_dict())


def payout_transactions(payout_id: str) -> Iterator[BalanceTransaction]:
    """The balance transactions a paid payout settles (its own withdrawal among them)."""
    listed = _listed(stripe_client().v1.balance_transactions, {"payout": payout_id})
    return map(balance_transaction_value, listed)


def payouts_since(timestamp: int) -> Iterator[PayoutValue]:
    return map(payout_value, _listed(stripe_client().v1.payouts, _since(timestamp)))


def events_since(timestamp: int) -> Iterator[dict[str, Any]]:
    return _listed(stripe_client().v1.events, _since(timestamp))


# Invoices (the one Checkout makes after a card payment, and payment requests' invoices on terms)


def fetch_invoice(invoice_id: str) -> dict[str, Any]:
    """An invoice as Stripe shows it now, with its payments expanded (which PaymentIntent paid it)."""
    return stripe_client().v1.invoices.retrieve(invoice_id, params={"expand": INVOICE_EXPAND}).to_dict()


def create_customer(params: Mapping[str, Any], *, idempotency_key: str) -> str:
    """A Stripe customer; its id. Raises InvalidRequest for a tax ID Stripe cannot read, say."""
    customer = stripe_client().v1.customers.create(
        params=dict(params),  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return customer.id


def cash_balance(customer_id: str, currency: str) -> int:
    """What the customer's bank transfers left on its cash balance in `currency`, in minor units."""
    customer = (
        stripe_client().v1.customers.retrieve(customer_id, params={"expand": ["cash_balance"]}).to_dict()
    )
    cash = customer.get("cash_balance") if isinstance(customer.get("cash_balance"), Mapping) else {}
    available = cash.get("available") if isinstance(cash.get("available"), Mapping) else {}
    balance = available.get(currency.lower(), 0)
    return balance if isinstance(balance, int) and not isinstance(balance, bool) else 0


def refund_cash_balance(
    customer_id: str,
    *,
    amount: int,
    currency: str,
    email: str,
    metadata: Mapping[str, str],
    idempotency_key: str,
) -> CreatedRefund:
    """Refund `amount` of the customer's cash balance to the payer (Stripe asks them for bank details)."""
    refund = stripe_client().v1.refunds.create(
        params={
            "customer": customer_id,
            "origin": "customer_balance",
            "amount": amount,
            "currency": currency.lower(),
            "instructions_email": email,
            "metadata": dict(metadata),
        },
        options={"idempotency_key": idempotency_key},
    )
    data = refund.to_dict()
    return CreatedRefund(id=object_id(data.get("id")), status=str(data.get("status") or ""))


def create_invoice(params: Mapping[str, Any], *, idempotency_key: str) -> str:
    invoice = stripe_client().v1.invoices.create(
        params=dict(params),  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return invoice.id


def add_invoice_item(params: Mapping[str, Any], *, idempotency_key: str) -> None:
    stripe_client().v1.invoice_items.create(
        params=dict(params),  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )


def finalize_invoice(
    invoice_id: str, *, idempotency_key: str, auto_advance: bool | None = None
) -> dict[str, Any]:
    """Finalize a draft; `auto_advance=False` keeps Stripe from collecting or emailing it by itself."""
    params = {} if auto_advance is None else {"auto_advance": auto_advance}
    return (
        stripe_client()
        .v1.invoices.finalize_invoice(invoice_id, params=params, options={"idempotency_key": idempotency_key})
        .to_dict()
    )


def pay_out_of_band(invoice_id: str, *, idempotency_key: str) -> dict[str, Any]:
    """Mark an invoice paid with no money moving (a corrected invoice: the money came with the one it
    replaces)."""
    return (
        stripe_client()
        .v1.invoices.pay(
            invoice_id, params={"paid_out_of_band": True}, options={"idempotency_key": idempotency_key}
        )
        .to_dict()
    )


def void_invoice(invoice_id: str, *, idempotency_key: str) -> dict[str, Any]:
    """Void an open invoice; when Stripe refuses (paid or voided meanwhile), the invoice as it is now."""
    try:
        invoice = stripe_client().v1.invoices.void_invoice(
            invoice_id, options={"idempotency_key": idempotency_key}
        )
    except InvalidRequest:
        return fetch_invoice(invoice_id)
    return invoice.to_dict()


# Credit notes (on a paid invoice, answering a refund or a correction)


def fetch_credit_note(note_id: str) -> CreditNoteValue:
    return credit_note_value(stripe_client().v1.credit_notes.retrieve(note_id).to_dict())


def credit_notes_on(invoice_id: str) -> Iterator[CreditNoteValue]:
    return map(credit_note_value, _listed(stripe_client().v1.credit_notes, {"invoice": invoice_id}))


def create_credit_note(params: Mapping[str, Any], *, idempotency_key: str) -> CreditNoteValue:
    note = stripe_client().v1.credit_notes.create(
        params=dict(params),  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return credit_note_value(note.to_dict())
