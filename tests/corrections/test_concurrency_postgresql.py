"""Double-submitted corrections on PostgreSQL: two confirms of the same invoice at the same moment record
one correction (the other is told one is being issued), and two workers running its task make one new
invoice and one credit note at Stripe."""

from django.db import connection

from corrections import issuing, services
from corrections.models import InvoiceCorrection
from corrections.target import CorrectionRefused
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.corrections.conftest import HEADER
from tests.credit_notes.conftest import note_posts

pytestmark = POSTGRESQL_ONLY


def _confirm(order_id: int, name: str):
    try:
        return services.request_correction(
            order_id, {**HEADER, "company_name": name}, requested_by="the buyer"
        )
    finally:
        connection.close()


def test_two_confirms_at_once_record_one_correction(paid, fake_stripe):
    outcomes = run_together(
        [lambda: _confirm(paid.pk, "First Name Ltd"), lambda: _confirm(paid.pk, "Second Ltd")]
    )

    made = [o for o in outcomes if isinstance(o, InvoiceCorrection)]
    refused = [o for o in outcomes if isinstance(o, CorrectionRefused)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert "being issued now" in str(refused[0])
    assert InvoiceCorrection.objects.count() == 1
    assert paid.history.filter(kind="invoice correction").count() == 1


def test_two_workers_issuing_one_correction_make_one_invoice_and_one_note(paid, fake_stripe, settings):
    correction = services.request_correction(paid.pk, HEADER, requested_by="the buyer")

    def issue():
        try:
            return issuing.issue_correction(correction.pk)
        finally:
            connection.close()

    outcomes = run_together([issue, issue, issue])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    correction.refresh_from_db()
    assert correction.state == InvoiceCorrection.State.ISSUED
    made = [i for i in fake_stripe.invoices.values() if (i.get("metadata") or {}).get("correction")]
    assert len(made) == 1 and made[0]["status"] == "paid"
    assert len(fake_stripe.credit_notes) == 1
    assert len({p.header("Idempotency-Key") for p in note_posts(fake_stripe)}) == 1
