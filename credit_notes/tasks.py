"""The task payments enqueues (settings.MONEY_RETURNED_TASKS) whenever a refund or dispute of an order is
recorded or changes: it issues the credit notes the order's money now calls for (credit_notes.issuing).
Idempotent (one note per refund, by key and by row) and retried with backoff (common.tasks).

It goes ahead of the refund receipt enqueued with it (a higher priority) where one worker takes both
queues, so the receipt can name the note; where they run apart, the note's own email follows the receipt
(credit_notes.emails)."""

from common.tasks import PAYMENTS_QUEUE, retrying_task
from credit_notes import issuing

PRIORITY = 10


@retrying_task(queue=PAYMENTS_QUEUE)
def _issue_credit_notes(order_id: int) -> str:
    return issuing.issue_credit_notes(order_id)


issue_credit_notes = _issue_credit_notes.using(priority=PRIORITY)
