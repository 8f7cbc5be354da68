"""Emails about handed-out seats: one access email per person per list the buyer assigned, the buyer's
reminder to holders who have not started, and word to a holder whose seat the buyer gave to someone else. Each goes at most once per purpose and recipient through
checkout's claim pattern (`checkout.emails.send_once`), built like access's emails (access.emails)."""

from django.core.mail import EmailMultiAlternatives

from access.emails import holder_context, holder_grants, message
from access.models import Grant
from checkout.emails import send_once
from checkout.models import Order


def seats_given_purpose(batch: str) -> str:
    return f"access-list-{batch}"


def send_seats_given(order_id: int, recipient: str, batch: str) -> str:
    """One access email per person per list the buyer assigned: every active seat of the order this address
    holds, whatever number of them the list gave (`batch` names the list, so a retry never sends twice)."""
    grants = holder_grants(order_id, recipient, Grant.State.ACTIVE)
    if not grants:
        return "skipped"

    def build(order: Order) -> EmailMultiAlternatives:
        context = holder_context(order, grants, "access given (list)", is_buyer=recipient == order.email)
        return message("access/access_given", context, recipient)

    return send_once(order_id, purpose=seats_given_purpose(batch), recipient=recipient, build=build)


def send_seat_reminder(order_id: int, recipient: str, purpose: str) -> str:
    """The buyer's reminder to a holder who has not started: once per day and holder (the purpose holds
    the date, teams.seat_table.reminder_purpose)."""
    grants = holder_grants(order_id, recipient, Grant.State.ACTIVE)
    if not grants:
        return "skipped"

    def build(order: Order) -> EmailMultiAlternatives:
        return message("teams/seat_reminder", holder_context(order, grants, "seat reminder"), recipient)

    return send_once(order_id, purpose=purpose, recipient=recipient, build=build, label="Seat reminder")


def send_seat_given_away(order_id: int, recipient: str, name: str, products: list[str], purpose: str) -> str:
    """Tell the previous holder that the buyer gave their seat to someone else, once per handover (the
    purpose names it, teams.seats.given_away_purpose); the new holder is never named."""

    def build(order: Order) -> EmailMultiAlternatives:
        context = {"order": order, "name": name, "email": recipient, "products": products}
        return message("teams/seat_given_away", context, recipient)

    return send_once(order_id, purpose=purpose, recipient=recipient, build=build, label="Seat given away")
