"""Issue 34's mutants of access.grants: each test fails with the named mutant applied and passes without it."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from access import emails
from access.grants import REFUNDED_IN_FULL, restore_access_for_order, revoke_access_for_order
from access.models import Grant
from checkout.models import EmailDelivery, Order

pytestmark = pytest.mark.django_db

GIVEN_EMAIL_TASK = "access.emails.send_access_given_email"


def test_a_plain_bundle_grants_every_part_to_its_buyer_even_one_they_hold(paid_order, catalog):
    """Kills issue-34 mutant: access/grants parts already held skipped on every order (125). Only a Bundle
    bought to complete what the buyer owns leaves out the parts they hold."""
    paid_order("resume-kit", 1)
    bundle = paid_order("bundle", 1)

    held = set(
        Grant.objects.filter(order=bundle, seat=1, holder_email="buyer@example.com").values_list(
            "product__slug", flat=True
        )
    )

    parts = {item.component.slug for item in catalog["bundle"].bundle_items.select_related("component")}
    assert "resume-kit" in parts
    assert held == parts


def test_a_restore_emails_only_the_holders_who_were_told_access_ended(paid_order):
    """Kills issue-34 mutant: access/grants restore re-emailing holders never told access ended (217)."""
    order = paid_order("bundle", 3)
    for seat, email in ((2, "ana@studio.example"), (3, "bo@studio.example")):
        Grant.objects.filter(order=order, seat=seat).update(
            holder_name=email.split("@")[0], holder_email=email, state=Grant.State.ACTIVE
        )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.REFUNDED)
    revoke_access_for_order(order.pk, REFUNDED_IN_FULL)
    # Only Ana's "access has ended" email went out before the refund failed.
    EmailDelivery.objects.create(
        order=order, purpose=emails.ENDED, recipient="ana@studio.example", sent_at=timezone.now()
    )
    DBTaskResult.objects.all().delete()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)

    assert restore_access_for_order(order.pk) == "restored"

    line_id = order.lines.get().pk
    queued = [r.args_kwargs["args"] for r in DBTaskResult.objects.filter(task_path=GIVEN_EMAIL_TASK)]
    assert queued == [[line_id, 2]]
    assert not Grant.objects.filter(order=order, state=Grant.State.REVOKED).exists()
