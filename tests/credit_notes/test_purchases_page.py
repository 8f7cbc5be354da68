"""The purchases page lists each order's credit notes under its invoice, with the PDF (through the settings
hook PURCHASES_INVOICE_DOCUMENTS: access never imports credit notes)."""

import pytest

from credit_notes.models import CreditNote
from tests.access.conftest import sign_in  # noqa: F401  (fixture)
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def test_a_part_refund_shows_its_credit_note_under_the_invoice(
    paid,
    fake_stripe,
    deliver_event,
    client,
    sign_in,  # noqa: F811
):
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1500)))
    [note] = CreditNote.objects.all()

    sign_in(paid.email)
    page = client.get("/purchases/").content.decode()

    assert f'<a href="{note.pdf_url}">Credit note {note.number} (PDF)</a>' in page
    assert f"$15 against invoice {paid.invoice_number}" in page


def test_a_full_refund_shows_its_credit_note_on_the_ended_order(
    paid,
    fake_stripe,
    deliver_event,
    client,
    sign_in,  # noqa: F811
):
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id)))
    [note] = CreditNote.objects.all()

    sign_in(paid.email)
    page = client.get("/purchases/").content.decode()

    ended = page[page.index("<h2>Ended</h2>") :]
    assert f"Credit note {note.number} (PDF)" in ended


def test_a_void_credit_note_is_not_listed(paid, fake_stripe, deliver_event, client, sign_in):  # noqa: F811
    deliver_event(make_event("refund.created", fake_stripe.refund(paid.stripe_session_id, amount=1500)))
    CreditNote.objects.update(status=CreditNote.Status.VOID)

    sign_in(paid.email)
    page = client.get("/purchases/").content.decode()

    assert "Credit note" not in page
