"""The one decision about an expired Checkout Session whose buyer asked for a reminder.

Payments tells the apps that follow orders that an order changed (settings.ORDER_CHANGED_TASKS); this app
looks at the order as it is now. Only an order that is expired now (never one paid, whatever order the
events came in) with a consent gets a decision, and exactly one: the Reminder row is unique per consent,
and the buyer-and-product lock row serialises decisions about two sessions of the same buyer, so
duplicate events, late events and concurrent workers end in one reminder or none.
"""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from checkout import states
from checkout.models import Order
from recovery import checks, reminders
from recovery.models import RecoveryConsent, Reminder, ReminderLock

logger = logging.getLogger("recovery")

Decision = Reminder.Decision


def held_out(session_id: str) -> bool:
    """Whether this session is in the holdout: a stable hash of its id, the same on every run and worker."""
    bucket = int(hashlib.sha256(session_id.encode()).hexdigest()[:8], 16) % 100
    return bucket < settings.RECOVERY_HOLDOUT_PERCENT


def decide(order_id: int) -> str:
    """Take the decision for this order if it is due; returns what happened (for the task result)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != Order.Status.EXPIRED:
            return "not expired"
        consent = RecoveryConsent.objects.filter(order=order).first()
        if consent is None:
            return "no consent"
        if Reminder.objects.filter(consent=consent).exists():
            return "decided already"
        line = order.lines.filter(product__isnull=False).first()
        if line is None:
            return "no product"
        lock, _ = ReminderLock.objects.get_or_create(email=consent.email, product_id=line.product_id)
        ReminderLock.objects.select_for_update().get(pk=lock.pk)
        reason = checks.why_not(order, consent, line.product_id)
        if reason:
            decision = Decision.SKIPPED
        elif held_out(order.stripe_session_id or ""):
            decision, reason = Decision.HELD_OUT, "in the holdout"
        else:
            decision = Decision.SEND
        reminder = Reminder.objects.create(
            consent=consent,
            order=order,
            session_id=order.stripe_session_id or "",
            email=consent.email,
            product_id=line.product_id,
            quantity=line.quantity,
            decision=decision,
            reason=reason,
            decided_at=timezone.now(),
        )
        note = "reminder due" if decision == Decision.SEND else f"no reminder: {reason}"
        states.note(order, "recovery", f"Checkout expired with reminder consent; {note}.", source="recovery")
        if decision == Decision.SEND:
            reminders.send_reminder.enqueue(reminder.pk)
    return decision
