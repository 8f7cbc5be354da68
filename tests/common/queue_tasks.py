"""Tasks on each queue for the queue tests: each leaves a file behind, so the test sees what ran."""

from pathlib import Path

from common.tasks import MAIL_QUEUE, PAYMENTS_QUEUE, retrying_task


def _mark(folder: str, name: str) -> str:
    (Path(folder) / name).write_text("done")
    return "done"


@retrying_task(queue=PAYMENTS_QUEUE)
def touch_on_payments(folder: str, name: str) -> str:
    return _mark(folder, name)


@retrying_task(queue=MAIL_QUEUE)
def touch_on_mail(folder: str, name: str) -> str:
    return _mark(folder, name)


@retrying_task
def touch_on_default(folder: str, name: str) -> str:
    return _mark(folder, name)


@retrying_task(queue=PAYMENTS_QUEUE)
def always_fails_on_payments() -> str:
    raise RuntimeError("Stripe is down")
