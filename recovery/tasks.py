"""Recovery's task in settings.ORDER_CHANGED_TASKS: payments enqueues it whenever an order's state moves;
it decides from the order as it is now (recovery.decisions). The send task lives in recovery.reminders."""

from common.tasks import retrying_task
from recovery import decisions


@retrying_task
def order_changed(order_id: int) -> str:
    return decisions.decide(order_id)
