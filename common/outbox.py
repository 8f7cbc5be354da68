"""The outbox: "claim, send, record, release" for anything sent to the outside world at most once.

A row (an email delivery, an enrolment event) is claimed under its row lock, sent outside any transaction,
then recorded as sent. A failed send releases the claim and raises, so the retrying task tries again. A
claim older than its timeout belongs to a worker that died between claiming and sending; the next attempt
takes it over. What a row is, who it goes to and how it is sent belong to the caller.
"""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

logger = logging.getLogger("tasks")

Row = TypeVar("Row", bound=models.Model)


class Busy(Exception):
    """Another worker claimed this row moments ago (or it must wait its turn); try again later."""


def claim_row(row: models.Model, *, timeout: dt.timedelta, busy: type[Busy], what: str) -> None:
    """Claim a row the caller has locked (`select_for_update`): raise `busy` while another worker's claim is
    younger than `timeout`, else mark it claimed now and count the attempt."""
    now = timezone.now()
    if row.claimed_at is not None and now - row.claimed_at < timeout:
        raise busy(f"{what} is being sent by another worker")
    row.claimed_at = now
    row.attempts += 1
    row.save(update_fields=["claimed_at", "attempts"])


def release_row(row: models.Model, exc: BaseException) -> None:
    """Give the claim back (only if it is still ours) and keep the error for staff."""
    type(row).objects.filter(pk=row.pk, claimed_at=row.claimed_at).update(
        claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def deliver_once(
    *,
    claim: Callable[[], Row | None],
    send: Callable[[Row], Any],
    record: Callable[[Row], Any],
    release: Callable[[Row, BaseException], Any] = release_row,
) -> str:
    """Run one outbox delivery: "sent" once recorded, "skipped" when `claim` finds nothing to send; raises
    what `send` raised after `release` (so the task retries). If `record` fails after a successful send the
    row keeps its claim and no `sent` time: once the claim times out it is sent again (at least once)."""
    row = claim()
    if row is None:
        return "skipped"
    try:
        send(row)
    except Exception as exc:
        release(row, exc)
        raise
    record(row)
    return "sent"
