"""The weekly roster summary: while any seat of a team order is not claimed or its holder has not started,
its buyer gets one email a week (ISO week in the outbox purpose, so a second run that week sends nothing)
saying which, with the seat manager's link and a signed opt-out link (learning.summary_opt_out).
`send_roster_summaries` (a weekly timer) calls `queue_summaries`."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from access.emails import message
from access.grants import access_is_due
from checkout.emails import send_once
from checkout.models import EmailDelivery, Order
from common.tasks import MAIL_QUEUE, retrying_task
from learning.models import SummaryOptOut
from learning.summary_opt_out import opt_out_url
from teams import seat_table
from teams.seat_page import seats_url

PREFIX = "roster-summary-"


def summary_purpose(today=None) -> str:
    year, week, _ = (today or timezone.localdate()).isocalendar()
    return f"{PREFIX}{year}-W{week:02d}"


@dataclass(frozen=True)
class Summary:
    unclaimed: int
    not_started: list[seat_table.SeatRow]
    counts: seat_table.SeatCounts

    @property
    def due(self) -> bool:
        return bool(self.unclaimed or self.not_started)


def _not_started(order: Order, row: seat_table.SeatRow) -> bool:
    """A held seat, not the buyer's own, whose holder has not begun (SeatRow.waiting_to_start)."""
    return row.holder_email != order.email and row.waiting_to_start


def summary(order: Order) -> Summary:
    rows = seat_table.seat_rows(order)
    return Summary(
        unclaimed=sum(r.state == seat_table.FREE for r in rows),
        not_started=[r for r in rows if _not_started(order, r)],
        counts=seat_table.seat_counts(rows),
    )


def candidates():
    """Team orders (more than one seat on a line), not seats added to one, whose buyer did not opt out."""
    return (
        Order.objects.filter(adds_seats_to__isnull=True, lines__quantity__gt=1, grants__isnull=False)
        .exclude(email="")
        .exclude(Exists(SummaryOptOut.objects.filter(order=OuterRef("pk"))))
        .distinct()
        .order_by("pk")
    )


def queue_summaries() -> list[str]:
    """Queue this week's summary for every order that needs one; returns their references."""
    purpose = summary_purpose()
    queued = []
    for order in candidates():
        if not access_is_due(order) or not summary(order).due:
            continue
        with transaction.atomic():
            _, made = EmailDelivery.objects.get_or_create(order=order, purpose=purpose, recipient=order.email)
            if made:
                send_roster_summary_email.enqueue(order.pk, purpose)
                queued.append(order.reference)
    return queued


def send_summary(order_id: int, purpose: str) -> str:
    """Once per order and week; nothing when the buyer opted out or every seat got going meanwhile."""
    order = Order.objects.get(pk=order_id)
    if SummaryOptOut.objects.filter(order=order).exists():
        return "opted out"
    now = summary(order)
    if not now.due:
        return "nothing to say"

    def build(order: Order) -> EmailMultiAlternatives:
        context = {
            "order": order,
            "summary": now,
            "seats_url": settings.SITE_URL + seats_url(order),
            "opt_out_url": opt_out_url(order),
        }
        return message("teams/roster_summary", context, order.email)

    return send_once(order_id, purpose=purpose, build=build, label="Weekly seat summary")


@retrying_task(queue=MAIL_QUEUE)
def send_roster_summary_email(order_id: int, purpose: str) -> str:
    return send_summary(order_id, purpose)
