"""Concurrent deliveries and workers on PostgreSQL: one credit note per refund, at Stripe and in our rows."""

import json

from django.test import Client

from credit_notes import issuing
from credit_notes.models import CreditNote
from tests.checkout.conftest import run_ready_tasks, signed_post
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.credit_notes.conftest import note_posts
from tests.stripe_fake import make_event

pytestmark = POSTGRESQL_ONLY


def test_the_same_refund_from_four_threads_and_three_workers_makes_one_note(paid, fake_stripe):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=1500)
    created = json.dumps(make_event("refund.created", refund)).encode()
    updated = json.dumps(make_event("refund.updated", refund)).encode()

    answers = run_together(
        [lambda: signed_post(Client(), created)] * 2 + [lambda: signed_post(Client(), updated)] * 2
    )
    ran = run_together([run_ready_tasks] * 3)

    assert [a.status_code for a in answers] == [200] * 4
    assert not [r for r in ran if isinstance(r, Exception)]
    assert len(fake_stripe.credit_notes) == 1
    [note] = CreditNote.objects.all()
    assert note.amount_cents == 1500 and note.source_key == f"refund:{refund['id']}"
    assert paid.history.filter(kind="credit note").count() == 1


def test_two_workers_issuing_at_once_make_one_note_per_refund(paid, fake_stripe, settings):
    settings.MONEY_RETURNED_TASKS = []
    first = fake_stripe.refund(paid.stripe_session_id, amount=1000)
    second = fake_stripe.refund(paid.stripe_session_id, amount=2000)
    for refund in (first, second):
        signed_post(Client(), json.dumps(make_event("refund.created", refund)).encode())
    run_ready_tasks()

    outcomes = run_together([lambda: issuing.issue_credit_notes(paid.pk)] * 3)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(n["total"] for n in fake_stripe.credit_notes.values()) == [1000, 2000]
    assert sorted(CreditNote.objects.values_list("amount_cents", flat=True)) == [1000, 2000]
    assert len({p.header("Idempotency-Key") for p in note_posts(fake_stripe)}) == 2
