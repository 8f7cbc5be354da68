"""Credit notes' part of `reconcile_stripe` (settings.RECONCILE_EXTRAS): for the orders whose refunds or
disputes changed in the window, converge on the credit notes Stripe has on their invoices and issue any
still missing (a task that gave up, an event that never came); then the ledger check over every invoiced
order. Notes issued are logged; a line is printed for what needs staff (a flag, a ledger difference)."""

import datetime as dt
import logging
from collections.abc import Iterator

from django.db.models import Q

from checkout.models import Order
from credit_notes import issuing, ledger
from credit_notes.converge import converge_invoice_notes
from credit_notes.models import CreditNote
from credit_notes.sources import sources

logger = logging.getLogger("checkout")


def reconcile(start: dt.datetime) -> Iterator[str]:
    recent = Q(refunds__updated_at__gte=start) | Q(disputes__updated_at__gte=start)
    for order in Order.objects.filter(recent).distinct().order_by("pk"):
        before = CreditNote.objects.filter(order=order).count()
        for invoice_id in {source.invoice_id for source in sources(order)}:
            converge_invoice_notes(order, invoice_id, source="reconcile")
        outcome = issuing.issue_credit_notes(order.pk)
        after = CreditNote.objects.filter(order=order).count()
        if after != before:
            logger.info("order %s: credit notes %s -> %s (%s)", order.reference, before, after, outcome)
        if "flagged" in outcome or "refused" in outcome:  # a person must look: say so in the run's output too
            yield f"{order.reference}: credit notes need staff ({outcome})"
    yield from ledger.check_all()
