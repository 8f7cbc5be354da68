"""Stripe payouts and the balance transactions they settle, read once into our own values (the values'
module is checkout.stripe_values; only checkout.stripe_gateway fetches them): ids, types, amounts in minor
units with their currency (negative for money leaving the balance), fees, nets, statuses and dates."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkout.stripe_values import Money, Settlement, object_id, settlement_of, signed_units, stripe_time
from common.text import single_line


@dataclass(frozen=True)
class BalanceTransaction:
    """A Stripe balance transaction, read once: one movement of the balance (a charge, a refund, a dispute's
    withdrawal, a fee, a payout), the object it came from, what it settled as (amount, negative for money
    going out, currency and exchange rate), and Stripe's fee and net. A figure Stripe gave no usable value
    for is None."""

    id: str
    type: str
    source_id: str  # the charge, refund or dispute (or payout) it moved money for
    settlement: Settlement
    fee_cents: int | None
    net_cents: int | None
    created: dt.datetime | None


def balance_transaction_value(transaction: Mapping[str, Any]) -> BalanceTransaction:
    return BalanceTransaction(
        id=object_id(transaction.get("id")),
        type=single_line(transaction.get("type"), 40),
        source_id=object_id(transaction.get("source")),
        settlement=settlement_of(transaction) or Settlement(None, "", None),
        fee_cents=signed_units(transaction.get("fee")),
        net_cents=signed_units(transaction.get("net")),
        created=stripe_time(transaction.get("created")),
    )


@dataclass(frozen=True)
class PayoutValue:
    """A Stripe payout to the bank, read once: its amount in the settlement currency, status and dates."""

    id: str
    amount: Money  # None when Stripe gave no usable figure
    status: str
    arrival_date: dt.datetime | None
    created: dt.datetime | None


def payout_value(payout: Mapping[str, Any]) -> PayoutValue:
    return PayoutValue(
        id=object_id(payout.get("id")),
        amount=Money(signed_units(payout.get("amount")), single_line(payout.get("currency"), 3).upper()),
        status=single_line(payout.get("status"), 30),
        arrival_date=stripe_time(payout.get("arrival_date")),
        created=stripe_time(payout.get("created")),
    )
