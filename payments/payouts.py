"""Stripe payouts to the bank, with the balance transactions each one settles (what finance matches)."""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from checkout import stripe_gateway
from checkout.stripe_values import object_id
from payments.models import Payout, PayoutLine


def sync_payout(payout_id: str) -> Payout:
    """Record a Stripe payout and, once it is paid, the balance transactions it settles."""
    stripe_payout = stripe_gateway.fetch_payout(payout_id)
    payout, _ = Payout.objects.update_or_create(
        stripe_payout_id=stripe_payout.id,
        defaults={
            "amount_cents": stripe_payout.amount.amount or 0,
            "currency": stripe_payout.amount.currency,
            "status": stripe_payout.status,
            "arrival_date": stripe_payout.arrival_date,
            "created": stripe_payout.created or timezone.now(),
        },
    )
    if payout.status == "paid" and payout.lines_fetched_at is None:
        for line in stripe_gateway.payout_transactions(payout.stripe_payout_id):
            if line.type == "payout":
                continue  # the payout's own withdrawal from the balance
            PayoutLine.objects.update_or_create(
                stripe_balance_transaction_id=line.id,
                defaults={
                    "payout": payout,
                    "type": line.type,
                    "source_id": line.source_id,
                    "amount_cents": line.settlement.cents or 0,
                    "fee_cents": line.fee_cents or 0,
                    "net_cents": line.net_cents or 0,
                    "currency": line.settlement.currency,
                    "created": line.created or timezone.now(),
                },
            )
        Payout.objects.filter(pk=payout.pk).update(lines_fetched_at=timezone.now())
    return payout


def handle_payout_event(data: Mapping[str, Any], *, source: str) -> None:
    payout_id = object_id(data.get("id"))
    if payout_id.startswith("po_"):
        sync_payout(payout_id)
