"""The registry's word on the VAT number a correction adds, before anything is issued: confirmed, the
correction goes on to Stripe (its task enqueued with the change); rejected, it ends and nothing changes:
the person who asked is emailed, the registry's reason stays in the order's history for staff; a registry that cannot answer now is asked again (the task retries)."""

from django.db import transaction

from checkout import states
from checkout.models import Order
from common.tasks import retrying_task
from corrections.emails import send_vat_not_confirmed
from corrections.issuing import SOURCE
from corrections.models import InvoiceCorrection
from corrections.tasks import issue_correction
from tax.checks import run_check
from tax.models import TaxIdCheck

State = InvoiceCorrection.State


def act_on_check(correction_id: int, check_id: int) -> str:
    check = run_check(check_id)  # raises CheckAgainLater while the registry cannot answer
    with transaction.atomic():
        correction = InvoiceCorrection.objects.select_for_update().get(pk=correction_id)
        order = Order.objects.select_for_update().get(pk=correction.order_id)
        if correction.state != State.CHECKING:
            return "already decided"
        if check.result == TaxIdCheck.Result.VALID:
            correction.state = State.ISSUING
            states.note(
                order, "invoice correction", f"VAT number {check.number} is registered.", source=SOURCE
            )
            issue_correction.enqueue(correction.pk)
            from_here = "issuing"
        else:
            correction.state = State.REFUSED
            correction.problem = (
                f"The VAT registry did not confirm the VAT number {check.number}, so the invoice stays as "
                "it was issued. Check the number and ask again, or reply to the email we sent about it."
            )[:500]
            reason = f" Registry's reason: {check.reason}" if check.reason else ""
            states.note(
                order,
                "invoice correction",
                f"Correction {correction.pk} not made: VAT number {check.number} not confirmed.{reason}",
                source=SOURCE,
            )
            send_vat_not_confirmed.enqueue(correction.pk)
            from_here = "refused"
        correction.save(update_fields=["state", "problem", "updated_at"])
    return from_here


@retrying_task
def check_correction_vat(correction_id: int, check_id: int) -> str:
    """Ask the registry about the VAT number a correction adds; once confirmed, the correction is issued."""
    return act_on_check(correction_id, check_id)
