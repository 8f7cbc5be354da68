"""Asking for a correction (the buyer on the purchases page, accounts payable on the payer's page): under
the order's row lock, the plan is checked (corrections.target), the correction is recorded with the header
before and after, a line goes into the order's history, and the task that makes it at Stripe is enqueued in
the same transaction. A new VAT number is first sent to the registry: nothing is issued until it is
confirmed, and a rejected number ends the correction with nothing changed."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from checkout import states
from checkout.models import Order
from corrections import tasks, vat
from corrections.models import HEADER_FIELDS, InvoiceCorrection
from corrections.target import CorrectionRefused, Plan, Target, plan, target_for
from tax.checks import request_check
from tax.formats import TaxIdFormatError, checks_format, normalise_vat_number
from tax.models import TaxIdCheck

State = InvoiceCorrection.State
IN_PROGRESS_MESSAGE = (
    "A correction of this invoice is being issued now. Wait until it is done, then correct it again."
)


@dataclass(frozen=True)
class Preview:
    target: Target
    plan: Plan
    after: dict[str, str]


def preview(order: Order, after: dict[str, str]) -> Preview:
    """What confirming would do (read only); raises CorrectionRefused."""
    target = target_for(order)
    if target is None:
        raise CorrectionRefused("This order has no invoice to correct.")
    return Preview(target, plan(target, _normalised(target, after)), _normalised(target, after))


def _normalised(target: Target, after: dict[str, str]) -> dict[str, str]:
    after = {name: (after.get(name) or "").strip() for name in HEADER_FIELDS}
    if after["tax_id"] and checks_format(target.country):
        try:
            after["tax_id"] = normalise_vat_number(after["tax_id"], country=target.country).value
        except TaxIdFormatError as exc:
            raise CorrectionRefused(f"That VAT number does not look right. {exc}") from None
    return after


def _changes(changed: dict[str, tuple[str, str]]) -> str:
    return "; ".join(f"{name.replace('_', ' ')} “{old}” → “{new}”" for name, (old, new) in changed.items())


@transaction.atomic
def request_correction(
    order_id: int, after: dict[str, str], *, requested_by: str, requester_email: str = ""
) -> InvoiceCorrection:
    """Record the correction and enqueue its making; raises CorrectionRefused (nothing written then)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    seen = preview(order, after)
    target, chosen = seen.target, seen.plan
    try:
        with transaction.atomic():
            correction = InvoiceCorrection.objects.create(
                order=order,
                payment_request=target.request,
                kind=chosen.kind,
                state=State.CHECKING if chosen.check_vat else State.ISSUING,
                requested_by=requested_by[:200],
                requester_email=requester_email,
                original_invoice_id=target.invoice_id,
                original_invoice_number=target.invoice_number,
                before=target.header,
                country=target.country,
                currency=target.currency,
                vat_cents=order.tax_cents if chosen.adds_vat else 0,
                **seen.after,
            )
    except IntegrityError:  # another correction got in first (the row lock makes this rare)
        raise CorrectionRefused(IN_PROGRESS_MESSAGE) from None
    states.note(
        order,
        "invoice correction",
        f"Correction {correction.pk} of invoice {target.invoice_number or target.invoice_id} asked for by "
        f"{requested_by}: {_changes(chosen.changed)}.",
        source=requested_by[:255],
    )
    if chosen.check_vat:
        tax_id = normalise_vat_number(seen.after["tax_id"], country=target.country)
        check, _ = request_check(
            purpose=TaxIdCheck.Purpose.ORDER, subject_id=order.pk, order_id=order.pk, tax_id=tax_id
        )
        vat.check_correction_vat.enqueue(correction.pk, check.pk)
    else:
        tasks.issue_correction.enqueue(correction.pk)
    return correction
