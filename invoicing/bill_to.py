"""What accounts payable may do on the payer's page before the invoice is made, besides choosing how to pay:
confirm or correct the bill-to details (company, street address, tax ID, PO number), which the invoice and
its Stripe customer then carry, or decline the request with a reason the buyer is told by email.

Declining is a cancellation (invoicing.states, CANCELLED with the payer's reason): like the buyer's own
cancel, a task enqueued with it closes any Checkout page the payer opened, and money that still arrives is
flagged (invoicing.closing)."""

from dataclasses import dataclass, fields

from django.db import transaction
from django.utils import timezone

from checkout import states
from invoicing import states as request_states
from invoicing import tax_ids
from invoicing.emails import send_request_declined
from invoicing.models import PaymentRequest
from invoicing.withdrawal import expire_open_session, withdraw_cancelled_request

State = PaymentRequest.State


@dataclass(frozen=True)
class BillTo:
    company_name: str
    address_line1: str
    city: str
    billing_country: str
    address_line2: str = ""
    postal_code: str = ""
    region: str = ""
    tax_id: str = ""
    po_number: str = ""


# The order keeps its own copy of these for finance (exports, receivables) and the card payment's invoice.
ORDER_FIELDS = {"company_name": "company_name", "tax_id": "tax_ids", "billing_country": "billing_country"}


@transaction.atomic
def confirm_details(request_id: int, bill_to: BillTo, *, source: str = "payer") -> bool:
    """Store the bill-to details the payer confirmed; False once the invoice is on its way (or the request
    ended): what Stripe has is then what the invoice says."""
    request = request_states.lock(request_id)
    if not request.can_choose:
        return False
    changed = [f.name for f in fields(bill_to) if getattr(request, f.name) != getattr(bill_to, f.name)]
    for name in changed:
        setattr(request, name, getattr(bill_to, name))
    request.details_confirmed_at = timezone.now()
    request.save(update_fields=[*changed, "details_confirmed_at", "updated_at"])
    order = request.order
    order_changes = {ORDER_FIELDS[name]: getattr(bill_to, name) for name in changed if name in ORDER_FIELDS}
    if "po_number" in changed:
        order_changes["po_number"] = bill_to.po_number
        if order.stripe_session_id:
            # The open Checkout Session prints the PO it was made with: expire it, so a card payment
            # opens a new one with the corrected PO.
            expire_open_session.enqueue(request.pk)
    for name, value in order_changes.items():
        setattr(order, name, value)
    if order_changes:
        order.save(update_fields=[*order_changes, "updated_at"])
    if {"tax_id", "billing_country"} & set(changed):
        tax_ids.enqueue_request_check(request, source=source)
    what = ", ".join(name.replace("_", " ") for name in changed) if changed else "no change"
    states.note(order, "payment request", f"Bill-to details confirmed by the payer ({what}).", source=source)
    return True


@transaction.atomic
def decline(request_id: int, reason: str, *, source: str = "payer") -> bool:
    """The payer declines before choosing how to pay: the request is cancelled with their reason, the buyer
    is emailed it, and what the request opened at Stripe is withdrawn by a task."""
    request = request_states.lock(request_id)
    if not request.can_choose:
        return False
    request.declined_reason = reason[:500]
    request.save(update_fields=["declined_reason"])
    request_states.move(request, State.CANCELLED, source=source, reason="declined by the payer")
    withdraw_cancelled_request.enqueue(request.pk)
    send_request_declined.enqueue(request.pk)
    return True
