"""Stripe payouts to the bank, with the balance transactions each one settles (what finance matches)."""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from checkout.stripe_client import stripe_client
from checkout.stripe_values import object_id, stripe_time
from common.text import single_line
from payments.models import Payout, PayoutLine
from payments.sync import listed


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


def handle_payout_event(data: Mapping[str, Any], *, source: str) -> None:
    payout_id = object_id(data.get("id"))
    if payout_id.startswith("po_"):
        sync_payout(payout_id)
