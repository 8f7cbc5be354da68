"""Registry checks of buyers' VAT numbers as records: `request_check` makes the TaxIdCheck (once per
subject and number) in the caller's transaction, and the caller enqueues its task with it; `run_check`,
called from that task, asks the registry and records the answer.

A final answer (registered or rejected) is never asked again, so a task run twice changes nothing. An
answer of "could not check now" raises CheckAgainLater after recording the attempt, so the task's retry
asks again later; it is never taken as valid or invalid.
"""

from django.db import transaction

from tax import registry
from tax.formats import TaxId
from tax.models import TaxIdCheck

Result = TaxIdCheck.Result
FINAL = (Result.VALID, Result.INVALID)


class CheckAgainLater(Exception):
    pass


def request_check(*, purpose: str, subject_id: int, order_id: int, tax_id: TaxId) -> tuple[TaxIdCheck, bool]:
    """The check of `tax_id` for this order or payment request (billing order `order_id`), and whether it
    is new (enqueue its task then, in the same transaction)."""
    return TaxIdCheck.objects.get_or_create(
        purpose=purpose,
        subject_id=subject_id,
        number=tax_id.value,
        defaults={"country": tax_id.country, "order_id": order_id},
    )


def run_check(check_id: int) -> TaxIdCheck:
    """Ask the registry about a pending check and record its answer; a check already answered is returned
    unchanged. Raises CheckAgainLater when the registry could not answer now."""
    check = TaxIdCheck.objects.get(pk=check_id)
    if check.result in FINAL:
        return check
    # The registry is asked outside any transaction: no row lock is held over a network call.
    answer = registry.check(check.country, check.number)
    with transaction.atomic():
        check = TaxIdCheck.objects.select_for_update().get(pk=check_id)
        if check.result in FINAL:
            return check  # another run answered meanwhile
        check.attempts += 1
        check.reason = answer.error[:500]
        if answer.valid is None:
            check.result = Result.UNCHECKED
        else:
            check.result = Result.VALID if answer.valid else Result.INVALID
            check.registered_name = answer.name[:500]
            check.registered_address = answer.address[:500]
            check.consulted_at = answer.consulted_at
            check.reference = answer.reference[:100]
        check.save()
    if answer.retry_later:
        raise CheckAgainLater(f"{check.number}: {answer.error}")
    return check
