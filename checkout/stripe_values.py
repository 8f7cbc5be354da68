"""Reading values out of Stripe objects (plain dicts fetched from Stripe's API): ids, times and page
addresses, and our own values for the objects read once at the boundary (an invoice, a refund, a dispute:
amounts in minor units with their currency, ids, links that pass the page rule, statuses, dates). Credit
notes are read in checkout.stripe_credit_notes, payouts and balance transactions in checkout.stripe_payouts."""

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from common.text import single_line


def object_id(value: Any) -> str:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return single_line(value, 255)


def stripe_time(timestamp: Any) -> dt.datetime | None:
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and 0 < timestamp < 253_402_300_800:
        return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return None


# Our field for each link of an invoice Stripe hosts (an order's and a payment request's alike).
INVOICE_LINKS = (("invoice_url", "hosted_invoice_url"), ("invoice_pdf_url", "invoice_pdf"))


def _loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return host == "localhost"


def stripe_page_url(value: Any) -> str:
    """A page Stripe gives us for buyers (a hosted invoice, its PDF), or "" for anything we would not link
    to: https only, except the local sandbox's own http pages while developing (DEBUG on and
    STRIPE_API_BASE a loopback address: `make run`), and only on that server's own host and port."""
    url = single_line(value, 2000)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number)
    except ValueError:  # "https://[" and the like
        return ""
    if parts.scheme == "https" and parts.hostname:
        return url
    api = urlsplit(settings.STRIPE_API_BASE)
    sandbox = settings.DEBUG and api.scheme == "http" and _loopback(api.hostname)
    if sandbox and parts.scheme == "http" and parts.netloc == api.netloc:
        return url
    return ""


def invoice_links(invoice: Mapping[str, Any]) -> dict[str, str]:
    """The invoice's usable links by our field name (`invoice_url`, `invoice_pdf_url`); others left out."""
    return {field: url for field, key in INVOICE_LINKS if (url := stripe_page_url(invoice.get(key)))}


def minor_units(value: Any) -> int | None:
    """A count of minor units as Stripe gives it; None for anything else (a bool, a float, a negative)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(frozen=True)
class Money:
    amount: int | None  # minor units; None when Stripe gave no usable figure
    currency: str  # ISO 4217, upper-case; "" when Stripe named none


@dataclass(frozen=True)
class Invoice:
    """An invoice as Stripe shows it, read once: ids, status, our links (page rule applied), figures."""

    id: str
    status: str
    number: str
    links: tuple[tuple[str, str], ...]  # (our field, address) for each usable hosted page
    due_at: dt.datetime | None
    amount_due: int | None
    paid: Money  # what the payer paid, in the invoice's currency
    paid_at: dt.datetime | None
    paid_intent_id: str  # the PaymentIntent of its paid invoice payment ("" before one)
    order_reference: str  # the order reference in its metadata (it names an order; it proves nothing)


def _paid_intent(invoice: Mapping[str, Any]) -> str:
    payments = invoice.get("payments") if isinstance(invoice.get("payments"), Mapping) else {}
    for item in payments.get("data") or []:
        payment = item.get("payment") if isinstance(item, Mapping) else None
        if isinstance(payment, Mapping) and item.get("status") == "paid":
            return object_id(payment.get("payment_intent"))
    return ""


def invoice_value(invoice: Mapping[str, Any]) -> Invoice:
    transitions, metadata = invoice.get("status_transitions"), invoice.get("metadata")
    return Invoice(
        id=object_id(invoice.get("id")),
        status=single_line(invoice.get("status"), 30),
        number=single_line(invoice.get("number"), 100),
        links=tuple(invoice_links(invoice).items()),
        due_at=stripe_time(invoice.get("due_date")),
        amount_due=minor_units(invoice.get("amount_due")),
        paid=Money(minor_units(invoice.get("amount_paid")), single_line(invoice.get("currency"), 3).upper()),
        paid_at=stripe_time(transitions.get("paid_at")) if isinstance(transitions, Mapping) else None,
        paid_intent_id=_paid_intent(invoice),
        order_reference=single_line(metadata.get("order_reference"), 20)
        if isinstance(metadata, Mapping)
        else "",
    )


def _amount(data: Mapping[str, Any]) -> Money:
    """A refund's or dispute's amount (0 when Stripe gave no usable figure) in its currency."""
    return Money(minor_units(data.get("amount")) or 0, single_line(data.get("currency"), 3).upper())


def exchange_rate(value: Any) -> Decimal | None:
    """Stripe's `exchange_rate` (a JSON number) as a Decimal of at most 10 places; None when absent or not a
    positive number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        return None
    if not rate.is_finite() or rate <= 0 or rate >= 10**10:
        return None
    return rate.quantize(Decimal("1E-10"))


@dataclass(frozen=True)
class Settlement:
    """What a balance transaction did to the Stripe balance: the amount and currency it settled in (the
    account's settlement currency, USD here, whatever the buyer paid in) and Stripe's exchange rate.

    10.00 EUR settled as 10.80 USD has `amount` 1080, `currency` "usd" and `exchange_rate` 1.08 (null when
    nothing was converted). The settled amount is kept as Stripe reports it, never recomputed from the rate,
    so a payout matches our records to the cent."""

    cents: int | None
    currency: str
    exchange_rate: Decimal | None


def signed_units(value: Any) -> int | None:
    """A signed count of minor units (a balance transaction's amount, fee or net); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def settlement_of(transaction: Any, *, sign: int = 1) -> Settlement | None:
    """A balance transaction's settlement, or None when it is not expanded. `sign` -1 for a refund, whose
    transaction takes money out (a negative amount) and whose record keeps it positive, like the refund."""
    if not isinstance(transaction, Mapping):
        return None
    amount = signed_units(transaction.get("amount"))
    return Settlement(
        cents=sign * amount if amount is not None else None,
        currency=single_line(transaction.get("currency"), 3).upper(),
        exchange_rate=exchange_rate(transaction.get("exchange_rate")),
    )


@dataclass(frozen=True)
class RefundValue:
    """A Stripe refund, read once."""

    id: str
    payment_intent_id: str
    charge_id: str
    amount: Money
    status: str
    reason: str
    balance_transaction_id: str
    created: dt.datetime | None
    # What it took from the balance, when the refund was read with its balance transaction expanded.
    settlement: Settlement | None = None


def refund_value(refund: Mapping[str, Any]) -> RefundValue:
    return RefundValue(
        id=object_id(refund.get("id")),
        payment_intent_id=object_id(refund.get("payment_intent")),
        charge_id=object_id(refund.get("charge")),
        amount=_amount(refund),
        status=single_line(refund.get("status"), 30),
        reason=single_line(refund.get("reason"), 100),
        balance_transaction_id=object_id(refund.get("balance_transaction")),
        created=stripe_time(refund.get("created")),
        settlement=settlement_of(refund.get("balance_transaction"), sign=-1),
    )


@dataclass(frozen=True)
class DisputeValue:
    """A Stripe dispute, read once, with when its funds were withdrawn and reinstated (and by which
    balance transactions)."""

    id: str
    payment_intent_id: str
    charge_id: str
    amount: Money
    status: str
    reason: str
    created: dt.datetime | None
    funds_withdrawn_at: dt.datetime | None
    withdrawal_id: str
    funds_reinstated_at: dt.datetime | None
    reinstatement_id: str
    withdrawal_settlement: Settlement | None = None
    reinstatement_settlement: Settlement | None = None


def dispute_value(dispute: Mapping[str, Any]) -> DisputeValue:
    withdrawn = reinstated = withdrawal_settled = reinstatement_settled = None
    withdrawal_id = reinstatement_id = ""
    for transaction in dispute.get("balance_transactions") or []:
        if not isinstance(transaction, Mapping):
            continue
        moment = stripe_time(transaction.get("created"))
        amount = transaction.get("amount") or 0
        if isinstance(amount, int) and amount < 0 and withdrawn is None:
            withdrawn, withdrawal_id = moment, object_id(transaction)
            withdrawal_settled = settlement_of(transaction)
        elif isinstance(amount, int) and amount > 0 and reinstated is None:
            reinstated, reinstatement_id = moment, object_id(transaction)
            reinstatement_settled = settlement_of(transaction)
    return DisputeValue(
        id=object_id(dispute.get("id")),
        payment_intent_id=object_id(dispute.get("payment_intent")),
        charge_id=object_id(dispute.get("charge")),
        amount=_amount(dispute),
        status=single_line(dispute.get("status"), 40),
        reason=single_line(dispute.get("reason"), 100),
        created=stripe_time(dispute.get("created")),
        funds_withdrawn_at=withdrawn,
        withdrawal_id=withdrawal_id,
        funds_reinstated_at=reinstated,
        reinstatement_id=reinstatement_id,
        withdrawal_settlement=withdrawal_settled,
        reinstatement_settlement=reinstatement_settled,
    )


def tax_total(data: Mapping[str, Any]) -> int:
    """The tax part of an invoice or credit note as Stripe reports it (`total_taxes`; `tax_amounts` on older
    API versions), in minor units; amounts we would not use count as none."""
    taxes = data.get("total_taxes") or data.get("tax_amounts")
    if not isinstance(taxes, list | tuple):
        return 0
    return sum(minor_units(tax.get("amount")) or 0 for tax in taxes if isinstance(tax, Mapping))
