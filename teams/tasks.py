"""Background tasks for team seats: the emails the seat manager's services enqueue inside their transaction
(teams.seat_batches, teams.reminders). Each takes ids and plain values, is idempotent and retries with
backoff (common.tasks). Tasks queued before they moved here, named `access.tasks.…`, run under these names
(settings.TASK_PATH_ALIASES)."""

from common.tasks import MAIL_QUEUE, retrying_task
from teams import emails


@retrying_task(queue=MAIL_QUEUE)
def send_seats_given_email(order_id: int, recipient: str, batch: str) -> str:
    return emails.send_seats_given(order_id, recipient, batch)


@retrying_task(queue=MAIL_QUEUE)
def send_seat_reminder_email(order_id: int, recipient: str, purpose: str) -> str:
    return emails.send_seat_reminder(order_id, recipient, purpose)


@retrying_task(queue=MAIL_QUEUE)
def send_seat_given_away_email(
    order_id: int, recipient: str, name: str, products: list[str], purpose: str
) -> str:
    return emails.send_seat_given_away(order_id, recipient, name, products, purpose)
