"""The fake's credit notes, through the real stripe library: Stripe's parameter types, its refusals (more
than is left, a void invoice, amounts that do not add up), list, retrieve, void, the PDF and the events."""

import pytest
import stripe

from checkout.stripe_client import stripe_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice_id(paid) -> str:
    return paid.invoice_id


def notes():
    return stripe_client().v1.credit_notes


def test_create_list_retrieve_and_void(invoice_id, paid, fake_stripe):
    made = notes().create(params={"invoice": invoice_id, "amount": 300, "out_of_band_amount": 300}).to_dict()

    assert made["total"] == 300 and made["status"] == "issued" and made["pdf"].startswith("https://")
    assert made["number"].endswith("-CN-01") and made["post_payment_amount"] == 300
    assert [e["type"] for e in fake_stripe.events][-1] == "credit_note.created"
    listed = notes().list(params={"invoice": invoice_id}).to_dict()["data"]
    assert [n["id"] for n in listed] == [made["id"]]
    assert notes().list(params={"invoice": "in_test_other"}).to_dict()["data"] == []
    assert notes().retrieve(made["id"]).to_dict()["total"] == 300

    voided = notes().void_credit_note(made["id"]).to_dict()

    assert voided["status"] == "void" and voided["voided_at"]
    assert fake_stripe.events[-1]["type"] == "credit_note.voided"
    with pytest.raises(stripe.InvalidRequestError, match="already void"):
        notes().void_credit_note(made["id"])


def test_an_unknown_parameter_is_refused_as_stripe_would(invoice_id):
    with pytest.raises(stripe.InvalidRequestError, match="unknown parameter: refund_id"):
        notes().create(params={"invoice": invoice_id, "amount": 100, "refund_id": "re_x"})


def test_more_than_is_left_on_the_invoice_is_refused(invoice_id, paid):
    notes().create(params={"invoice": invoice_id, "amount": 1000, "out_of_band_amount": 1000})

    with pytest.raises(stripe.InvalidRequestError, match="at most what is left"):
        notes().create(
            params={
                "invoice": invoice_id,
                "amount": paid.total_cents - 999,
                "out_of_band_amount": paid.total_cents - 999,
            }
        )


def test_a_paid_invoice_needs_the_money_back_to_add_up_to_the_note(invoice_id):
    with pytest.raises(stripe.InvalidRequestError, match="must equal"):
        notes().create(params={"invoice": invoice_id, "amount": 500, "out_of_band_amount": 400})


def test_a_refund_cannot_be_linked_twice(invoice_id, paid, fake_stripe):
    refund = fake_stripe.refund(paid.stripe_session_id, amount=400)
    notes().create(params={"invoice": invoice_id, "amount": 400, "refunds": [{"refund": refund["id"]}]})

    with pytest.raises(stripe.InvalidRequestError, match="only 0 left"):
        notes().create(params={"invoice": invoice_id, "amount": 400, "refunds": [{"refund": refund["id"]}]})


def test_a_void_invoice_cannot_be_credited(invoice_id, fake_stripe):
    with fake_stripe._lock:
        fake_stripe.invoices[invoice_id]["status"] = "void"

    with pytest.raises(stripe.InvalidRequestError, match="this one is void"):
        notes().create(params={"invoice": invoice_id, "amount": 100, "out_of_band_amount": 100})


def test_whole_lines_credit_their_amount(invoice_id, fake_stripe, paid):
    [line] = fake_stripe.invoices[invoice_id]["lines"]["data"]

    made = (
        notes()
        .create(
            params={
                "invoice": invoice_id,
                "lines": [{"type": "invoice_line_item", "invoice_line_item": line["id"], "quantity": 1}],
                "out_of_band_amount": line["amount"] // line["quantity"],
            }
        )
        .to_dict()
    )

    assert made["total"] == line["amount"] // line["quantity"]
    assert made["lines"]["data"][0]["invoice_line_item"] == line["id"]
