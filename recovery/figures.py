"""What the reminders did, per month (the finance dashboard reads this): reminders sent, the orders and
revenue that came back through them, and the natural return rate of the holdout, which got no reminder.

A buyer "returned" when they paid for the product, on any order, after starting the expired one. The
reminded rate is returned / reminders sent, the holdout rate returned / held out, and the lift their
difference (in percentage points); each comes with its counts. Months are those of the decision (UTC).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.db.models.functions import TruncMonth

from checkout import states
from checkout.models import Order
from recovery.models import RecoveredOrder, Reminder

Decision = Reminder.Decision


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MonthFigures:
    month: dt.date
    reminders_sent: int = 0
    reminded_returned: int = 0
    recovered_orders: int = 0
    recovered_revenue_cents: int = 0
    held_out: int = 0
    held_out_returned: int = 0

    @property
    def reminded_rate(self) -> Decimal | None:
        return percent(self.reminded_returned, self.reminders_sent)

    @property
    def holdout_rate(self) -> Decimal | None:
        return percent(self.held_out_returned, self.held_out)

    @property
    def lift(self) -> Decimal | None:
        if self.reminded_rate is None or self.holdout_rate is None:
            return None
        return self.reminded_rate - self.holdout_rate


def _returned(reminders: list[Reminder]) -> set[int]:
    """The reminders whose buyer paid for the product after starting the expired order."""
    emails = {r.email for r in reminders}
    paid = (
        Order.objects.filter(
            Q(email__in=emails) | Q(recovery_consent__email__in=emails), status__in=states.MONEY_RECEIVED
        )
        .values_list("email", "recovery_consent__email", "lines__product_id", "paid_at")
        .distinct()
    )
    purchases = defaultdict(list)
    for email, consent_email, product_id, paid_at in paid:
        for address in {email, consent_email} - {None, ""}:
            purchases[(address, product_id)].append(paid_at)
    return {
        r.pk
        for r in reminders
        if any(paid_at and paid_at >= r.order.created_at for paid_at in purchases[(r.email, r.product_id)])
    }


def monthly(*, start: dt.datetime, end: dt.datetime, currency: str) -> list[MonthFigures]:
    """One row per month with a reminder sent or held out, for abandoned orders in `currency` (the order's
    own currency: a product sold in several is counted where its buyer shopped, beside that revenue)."""
    reminders = list(
        Reminder.objects.filter(decided_at__gte=start, decided_at__lt=end, order__currency=currency)
        .filter(Q(decision=Decision.SEND, sent_at__isnull=False) | Q(decision=Decision.HELD_OUT))
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .select_related("order")
    )
    returned = _returned(reminders)
    months: dict[dt.date, MonthFigures] = {}
    by_id: dict[int, MonthFigures] = {}
    for reminder in reminders:
        month = reminder.month.date()
        row = months.setdefault(month, MonthFigures(month=month))
        by_id[reminder.pk] = row
        came_back = reminder.pk in returned
        if reminder.decision == Decision.SEND:
            row.reminders_sent += 1
            row.reminded_returned += came_back
        else:
            row.held_out += 1
            row.held_out_returned += came_back
    recovered = RecoveredOrder.objects.filter(
        recovered_from_id__in=[pk for pk, row in by_id.items()],
        order__status__in=states.MONEY_RECEIVED,
        order__currency=currency,
    ).select_related("order")
    for item in recovered:
        row = by_id[item.recovered_from_id]
        row.recovered_orders += 1
        row.recovered_revenue_cents += item.order.total_cents - item.order.amount_refunded_cents
    return [months[month] for month in sorted(months)]
