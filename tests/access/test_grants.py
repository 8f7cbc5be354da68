import io

from django.core import mail

from access import grants
from access.models import Grant
from checkout.models import EmailDelivery
from teams import seats
from tests.access.conftest import run_ready_tasks
from tests.stripe_fake import make_event


def test_payment_gives_one_grant_per_seat_and_the_buyer_holds_the_first(paid_order):
    order = paid_order("level-i", 3, email="head@example.com", name="Head of Production")

    grants = list(Grant.objects.filter(order=order).order_by("seat"))
    assert [(g.seat, g.product.slug) for g in grants] == [(1, "level-i"), (2, "level-i"), (3, "level-i")]
    assert (grants[0].state, grants[0].holder_email, grants[0].holder_name) == (
        "active",
        "head@example.com",
        "Head of Production",
    )
    assert [(g.state, g.holder_email) for g in grants[1:]] == [("unassigned", ""), ("unassigned", "")]
    # The buyer hears once: the order confirmation says their access is ready and where.
    assert [m.to for m in mail.outbox] == [["head@example.com"]]
    assert "is confirmed" in mail.outbox[0].subject and "/purchases/" in mail.outbox[0].body


def test_granting_again_changes_nothing(paid_order):
    order = paid_order("level-i", 2)

    assert grants.grant_access_for_order(order.pk) == "nothing to do"
    from access import tasks

    tasks.grant_access_for_order.enqueue(order.pk)
    run_ready_tasks()

    assert Grant.objects.filter(order=order).count() == 2
    assert EmailDelivery.objects.filter(order=order).count() == 1  # the confirmation alone


def test_a_bundle_seat_grants_its_four_components(paid_order):
    order = paid_order("bundle", 2)

    grants = Grant.objects.filter(order=order)
    assert grants.count() == 8
    seat_one = grants.filter(seat=1)
    assert sorted(g.product.slug for g in seat_one) == ["ai-kit", "level-i", "level-ii", "resume-kit"]
    assert {g.state for g in seat_one} == {"active"}
    assert {g.state for g in grants.filter(seat=2)} == {"unassigned"}


def test_an_unpaid_order_gets_no_grants(catalog, buy, fake_stripe, deliver_event):
    _, order = buy("level-i", 1)
    session = fake_stripe.complete_session(order.stripe_session_id, payment_status="unpaid")
    deliver_event(make_event("checkout.session.completed", session))

    assert not Grant.objects.filter(order=order).exists()


def test_a_full_refund_revokes_every_grant_and_tells_each_holder_once(
    paid_order, fake_stripe, deliver_event, client
):
    order = paid_order("bundle", 2)
    seat_two = Grant.objects.filter(order=order, seat=2).first()
    seats.assign_seat(
        grant_token=seat_two.token, buyer_email=order.email, name="Colleague", email="colleague@example.com"
    )
    run_ready_tasks()

    refund = fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("refund.created", refund))
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))

    order.refresh_from_db()
    assert order.status == "refunded"
    assert set(Grant.objects.filter(order=order).values_list("state", flat=True)) == {"revoked"}
    revoked = sorted(m.to[0] for m in mail.outbox if "access has ended" in m.subject)
    assert revoked == ["colleague@example.com"]  # the buyer's refund receipt tells the buyer
    assert any(
        m.to == ["buyer@example.com"] and "Access from this order ends for all 2 seats" in m.body
        for m in mail.outbox
    )


def test_a_full_refund_that_fails_gives_back_what_it_took_and_tells_the_holders(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("bundle", 2)
    seat_two = Grant.objects.filter(order=order, seat=2).first()
    seats.assign_seat(
        grant_token=seat_two.token, buyer_email=order.email, name="Colleague", email="colleague@example.com"
    )
    run_ready_tasks()
    staff_revoked = Grant.objects.get(order=order, seat=2, product__slug="ai-kit")
    grants.revoke_grants([staff_revoked.pk], reason="revoked by staff", source="staff:test")
    refund = fake_stripe.refund(order.stripe_session_id, status="pending")
    deliver_event(make_event("refund.created", refund))
    assert not Grant.objects.filter(order=order).exclude(state="revoked").exists()
    mail.outbox.clear()

    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="failed")))

    order.refresh_from_db()
    assert order.status == "paid"
    states = dict(Grant.objects.filter(order=order).values_list("pk", "state"))
    assert states.pop(staff_revoked.pk) == "revoked"  # a staff decision is not undone by Stripe
    assert set(states.values()) == {"active"}
    assert sorted(m.to[0] for m in mail.outbox) == ["buyer@example.com", "colleague@example.com"]
    assert all("access has ended" not in m.subject for m in mail.outbox)
    assert order.history.filter(kind="access", message__contains="did not go through").exists()


def test_a_revoke_task_that_runs_once_access_is_due_again_changes_nothing(paid_order):
    # The task was enqueued by a full refund that then failed before the task got its turn.
    order = paid_order("level-i", 1)
    mail.outbox.clear()

    assert grants.revoke_access_for_order(order.pk, grants.REFUNDED_IN_FULL) == "still due"

    assert Grant.objects.get(order=order).state == "active"
    assert grants.restore_access_for_order(order.pk) == "nothing to do"
    run_ready_tasks()
    assert mail.outbox == []


def test_a_refund_failing_after_a_lost_dispute_gives_nothing_back(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", 1)
    dispute = fake_stripe.dispute(order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=False)))

    assert grants.restore_access_for_order(order.pk) == "not due"
    assert Grant.objects.get(order=order).state == "revoked"


def test_a_partial_refund_keeps_access(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", 2)

    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id, amount=100)))

    assert not Grant.objects.filter(order=order, state="revoked").exists()


def test_a_lost_dispute_revokes_access_and_a_won_one_does_not(paid_order, fake_stripe, deliver_event):
    kept = paid_order("level-i", 1)
    lost = paid_order("level-ii", 1, email="other@example.com")
    for order, won in ((kept, True), (lost, False)):
        dispute = fake_stripe.dispute(order.stripe_session_id)
        deliver_event(make_event("charge.dispute.created", dispute))
        deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=won)))

    assert Grant.objects.get(order=kept).state == "active"
    assert Grant.objects.get(order=lost).state == "revoked"
    assert Grant.objects.get(order=lost).revoked_reason == "dispute lost"


def test_a_refund_that_arrives_before_the_grants_leaves_none_active(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", 1)
    Grant.objects.filter(order=order).delete()
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))

    assert grants.grant_access_for_order(order.pk) == "not due"
    assert not Grant.objects.filter(order=order).exists()


def test_an_assigned_holder_is_emailed_the_products_and_their_instructions(paid_order, catalog):
    catalog["level-i"].access_instructions = "Enrol at courses.example.com with this email address."
    catalog["level-i"].save()
    order = paid_order("bundle", 2)
    seat = Grant.objects.filter(order=order, seat=2).first()
    mail.outbox.clear()

    seats.assign_seat(
        grant_token=seat.token, buyer_email="BUYER@example.com", name="Ana", email="ana@example.com"
    )
    run_ready_tasks()
    run_ready_tasks()

    [message] = mail.outbox
    assert message.to == ["ana@example.com"] and order.reference in message.subject
    assert "Enrol at courses.example.com" in message.body and "CPMA Level II Certification" in message.body
    assert "http://testserver/purchases/" in message.body
    assert order.history.filter(kind="email", message__contains="ana@example.com").exists()


def test_reconcile_access_repairs_what_lost_tasks_left_undone(paid_order, fake_stripe, deliver_event):
    from django.core.management import call_command

    owed = paid_order("level-i", 2)
    refunded = paid_order("level-ii", 1, email="other@example.com")
    deliver_event(make_event("refund.created", fake_stripe.refund(refunded.stripe_session_id)))
    failed = paid_order("resume-kit", 1, email="third@example.com")
    refund = fake_stripe.refund(failed.stripe_session_id, status="pending")
    deliver_event(make_event("refund.created", refund))
    deliver_event(make_event("refund.updated", fake_stripe.update_refund(refund["id"], status="failed")))
    # As if the grant, revoke and restore tasks had given up.
    Grant.objects.filter(order=owed).delete()
    Grant.objects.filter(order=refunded).update(state="active", revoked_at=None)
    Grant.objects.filter(order=failed).update(state="revoked", revoked_reason=grants.REFUNDED_IN_FULL)

    call_command("reconcile_access", verbosity=0)
    run_ready_tasks()

    assert Grant.objects.filter(order=owed).count() == 2
    assert set(Grant.objects.filter(order=refunded).values_list("state", flat=True)) == {"revoked"}
    assert Grant.objects.get(order=refunded).revoked_reason == grants.REFUNDED_IN_FULL
    assert Grant.objects.get(order=failed).state == "active"
    call_command("reconcile_access", stdout=(out := io.StringIO()))
    assert "0 order(s) to grant, 0 to revoke, 0 to restore" in out.getvalue()


def test_a_grant_staff_restored_stays_active_when_access_is_reconciled(
    paid_order, fake_stripe, deliver_event
):
    from django.core.management import call_command

    order = paid_order("level-i", 1)
    deliver_event(make_event("refund.created", fake_stripe.refund(order.stripe_session_id)))
    grant = Grant.objects.get(order=order)
    grants.restore_grants([grant.pk], source="staff:test")

    call_command("reconcile_access", verbosity=0)
    run_ready_tasks()

    grant.refresh_from_db()
    assert grant.state == "active"


def test_access_ended_is_one_email_per_holder_address_with_their_name_and_the_true_reason(
    paid_order, fake_stripe, deliver_event
):
    order = paid_order("level-i", 3)
    token = Grant.objects.get(order=order, seat=3).token
    seats.assign_seat(grant_token=token, buyer_email=order.email, name="Ana", email="ana@example.com")
    # A second seat of one product for one address on one order is refused now; orders from before that
    # rule may still hold such seats, and their holder is still told once.
    Grant.objects.filter(order=order, seat=2).update(
        holder_name="Bad Email", holder_email=order.email, state=Grant.State.ACTIVE
    )
    run_ready_tasks()
    mail.outbox.clear()

    # A full refund still pending at Stripe: it ends access, and no receipt tells the buyer yet.
    refund = fake_stripe.refund(order.stripe_session_id, status="pending")
    deliver_event(make_event("refund.created", refund))
    run_ready_tasks()

    ended = {m.to[0]: m.body for m in mail.outbox if "access has ended" in m.subject}
    assert sorted(ended) == ["ana@example.com", order.email]
    assert ended[order.email].startswith(f"Hello {order.buyer_name},")
    assert "Bad Email" not in ended[order.email]
    assert "all 2 of your seats" in ended[order.email]
    assert all("because the order was refunded" in body for body in ended.values())
    assert all("disputed" not in body for body in ended.values())


def test_a_lost_dispute_says_so_in_the_access_ended_email(paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", 1)
    dispute = fake_stripe.dispute(order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    mail.outbox.clear()
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=False)))
    run_ready_tasks()

    (ended,) = [m for m in mail.outbox if "access has ended" in m.subject]
    assert "because the payment was disputed by the card holder" in ended.body
    assert "refunded" not in ended.body


def test_converge_access_decides_from_the_order_alone_and_twice_changes_nothing(
    paid_order, fake_stripe, deliver_event
):
    won = paid_order("level-i", 1)
    dispute = fake_stripe.dispute(won.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=True)))

    # Whatever enqueued it, a won dispute leaves access as it is.
    assert grants.converge_access(won.pk) == "nothing to do; nothing to do"
    assert Grant.objects.get(order=won).state == "active"

    refunded = paid_order("level-ii", 1, email="other@example.com")
    deliver_event(make_event("refund.created", fake_stripe.refund(refunded.stripe_session_id)))
    assert Grant.objects.get(order=refunded).revoked_reason == grants.REFUNDED_IN_FULL
    assert grants.converge_access(refunded.pk) == "nothing to do"
