"""Payouts matched against our money records: each payout's balance transactions, what we recorded for
them, and the difference (which should be zero)."""

from dataclasses import dataclass, field

from payments.models import Dispute, Payment, Payout, PayoutLine, Refund


@dataclass
class PayoutRow:
    line: PayoutLine
    recorded_cents: int | None  # None: no record of ours for this balance transaction
    order_reference: str = ""


@dataclass
class PayoutSummary:
    payout: Payout
    rows: list[PayoutRow] = field(default_factory=list)

    @property
    def recorded_cents(self) -> int:
        return sum(row.recorded_cents or 0 for row in self.rows)

    @property
    def difference_cents(self) -> int:
        return self.payout.amount_cents - self.recorded_cents


def _recorded_by_transaction() -> dict[str, tuple[int, str]]:
    """Our net figure for each balance transaction we know, with its order reference."""
    recorded: dict[str, tuple[int, str]] = {}
    for payment in (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[payment.stripe_balance_transaction_id] = (
            payment.amount_cents - (payment.fee_cents or 0),
            payment.order.reference or "",
        )
    for refund in (
        Refund.objects.filter(status__in=Refund.COUNTED_STATUSES)
        .exclude(stripe_balance_transaction_id="")
        .select_related("order")
    ):
        recorded[refund.stripe_balance_transaction_id] = (-refund.amount_cents, refund.order.reference or "")
    for dispute in Dispute.objects.select_related("order"):
        if dispute.withdrawal_balance_transaction_id:
            recorded[dispute.withdrawal_balance_transaction_id] = (
                -dispute.amount_cents,
                dispute.order.reference or "",
            )
        if dispute.reinstatement_balance_transaction_id:
            recorded[dispute.reinstatement_balance_transaction_id] = (
                dispute.amount_cents,
                dispute.order.reference or "",
            )
    return recorded


def payout_summaries(limit: int = 50) -> list[PayoutSummary]:
    recorded = _recorded_by_transaction()
    summaries = []
    for payout in Payout.objects.prefetch_related("lines")[:limit]:
        summary = PayoutSummary(payout=payout)
        for line in payout.lines.all():
            amount, reference = recorded.get(line.stripe_balance_transaction_id, (None, ""))
            summary.rows.append(PayoutRow(line=line, recorded_cents=amount, order_reference=reference))
        summaries.append(summary)
    return summaries
