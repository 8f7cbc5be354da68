"""Stripe's invoices, refunds, disputes, credit notes, payouts and balance transactions are read once into
our own values (checkout.stripe_values, stripe_credit_notes, stripe_payouts): what each field becomes, and
what is refused on the way in."""

import datetime as dt
from decimal import Decimal

from checkout.stripe_credit_notes import credit_note_value
from checkout.stripe_payouts import PayoutValue, balance_transaction_value, payout_value
from checkout.stripe_values import Money, Settlement, dispute_value, invoice_value, refund_value

PAID = {
    "id": "in_123",
    "status": "paid",
    "number": "CPMA-0042",
    "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_1",
    "invoice_pdf": "https://pay.stripe.com/invoice/acct_1/test_1/pdf",
    "due_date": 1_767_225_600,
    "amount_due": 120_000,
    "amount_paid": 120_000,
    "currency": "eur",
    "metadata": {"order_reference": "CPMA-7Q2X"},
    "status_transitions": {"paid_at": 1_767_312_000},
    "payments": {
        "data": [
            {"status": "canceled", "payment": {"payment_intent": "pi_failed"}},
            {"status": "paid", "payment": {"payment_intent": {"id": "pi_paid"}}},
        ]
    },
}


def test_a_paid_invoice_reads_as_our_value():
    invoice = invoice_value(PAID)

    assert invoice.id == "in_123"
    assert (invoice.status, invoice.number) == ("paid", "CPMA-0042")
    assert dict(invoice.links) == {
        "invoice_url": "https://invoice.stripe.com/i/acct_1/test_1",
        "invoice_pdf_url": "https://pay.stripe.com/invoice/acct_1/test_1/pdf",
    }
    assert invoice.due_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert invoice.amount_due == 120_000
    assert invoice.paid == Money(120_000, "EUR")
    assert invoice.paid_at == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert invoice.paid_intent_id == "pi_paid"  # the paid payment's, never a cancelled attempt's
    assert invoice.order_reference == "CPMA-7Q2X"


def test_figures_and_links_we_would_not_use_are_left_out():
    invoice = invoice_value(
        {
            "id": {"id": "in_9"},
            "status": "open",
            "hosted_invoice_url": "http://invoice.example/i/1",
            "invoice_pdf": "javascript:alert(1)",
            "amount_due": True,
            "amount_paid": -5,
            "metadata": "not a mapping",
            "status_transitions": "soon",
            "payments": {"data": [{"status": "open", "payment": {"payment_intent": "pi_open"}}]},
        }
    )

    assert invoice.id == "in_9"
    assert invoice.links == ()
    assert invoice.amount_due is None
    assert invoice.paid == Money(None, "")
    assert invoice.paid_at is None and invoice.due_at is None
    assert invoice.paid_intent_id == ""
    assert invoice.order_reference == ""


def test_a_refund_reads_as_our_value():
    refund = refund_value(
        {
            "id": "re_1",
            "payment_intent": {"id": "pi_1"},
            "charge": "ch_1",
            "amount": 2_500,
            "currency": "gbp",
            "status": "succeeded",
            "reason": "requested_by_customer",
            "balance_transaction": "txn_1",
            "created": 1_767_225_600,
        }
    )

    assert (refund.id, refund.payment_intent_id, refund.charge_id) == ("re_1", "pi_1", "ch_1")
    assert refund.amount == Money(2_500, "GBP")
    assert (refund.status, refund.reason, refund.balance_transaction_id) == (
        "succeeded",
        "requested_by_customer",
        "txn_1",
    )
    assert refund.created == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert refund_value({"id": "re_2", "amount": True}).amount == Money(0, "")


def test_a_dispute_names_when_its_funds_left_and_came_back():
    dispute = dispute_value(
        {
            "id": "dp_1",
            "payment_intent": "pi_1",
            "amount": 9_900,
            "currency": "usd",
            "status": "won",
            "balance_transactions": [
                "txn_unexpanded",
                {"id": "txn_out", "amount": -9_900, "created": 1_767_225_600},
                {"id": "txn_out_again", "amount": -100, "created": 1_767_312_000},
                {"id": "txn_back", "amount": 9_900, "created": 1_767_398_400},
            ],
        }
    )

    assert dispute.amount == Money(9_900, "USD")
    assert (dispute.withdrawal_id, dispute.funds_withdrawn_at) == (
        "txn_out",
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    assert (dispute.reinstatement_id, dispute.funds_reinstated_at) == (
        "txn_back",
        dt.datetime(2026, 1, 3, tzinfo=dt.UTC),
    )


def test_a_credit_note_reads_as_our_value():
    note = credit_note_value(
        {
            "id": "cn_1",
            "invoice": {"id": "in_1"},
            "number": "CPMA-0042-CN-01",
            "status": "issued",
            "pdf": "https://pay.stripe.com/credit_notes/acct_1/test_1/pdf",
            "total": 12_000,
            "currency": "eur",
            "total_taxes": [{"amount": 1_500}, {"amount": 500}],
            "out_of_band_amount": 2_000,
            "reason": "order_change",
            "memo": "Refund\nof seats",
            "refunds": [{"refund": "re_b", "amount_refunded": 5_000}, {"refund": {"id": "re_a"}}],
            "metadata": {"source": "refund:re_b", "order_reference": "CPMA-7Q2X"},
            "created": 1_767_225_600,
        }
    )

    assert (note.id, note.invoice_id, note.number) == ("cn_1", "in_1", "CPMA-0042-CN-01")
    assert note.status == "issued"
    assert note.pdf_url == "https://pay.stripe.com/credit_notes/acct_1/test_1/pdf"
    assert note.total == Money(12_000, "EUR")
    assert (note.tax_cents, note.out_of_band_cents) == (2_000, 2_000)
    assert (note.reason, note.memo) == ("order_change", "Refund of seats")
    assert note.linked_refund_ids == ("re_a", "re_b")
    assert (note.source, note.order_reference) == ("refund:re_b", "CPMA-7Q2X")
    assert note.created == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_an_older_credit_note_names_its_tax_in_tax_amounts():
    assert credit_note_value({"tax_amounts": [{"amount": 700}]}).tax_cents == 700


def test_credit_note_fields_we_would_not_use_become_safe_defaults():
    note = credit_note_value(
        {
            "id": "cn_2",
            "pdf": "http://pay.example/cn.pdf",
            "total": -100,
            "out_of_band_amount": True,
            "total_taxes": [{"amount": -5}, {"amount": 1.5}, "tax", {"amount": 300}],
            "refunds": [{"refund": ""}, "re_unexpanded", {"amount_refunded": 100}],
            "metadata": ["source", "refund:re_1"],
            "created": "yesterday",
        }
    )

    assert note.pdf_url == ""
    assert note.total == Money(0, "")
    assert (note.tax_cents, note.out_of_band_cents) == (300, 0)
    assert note.linked_refund_ids == ()
    assert (note.source, note.order_reference) == ("", "")
    assert note.created is None
    assert credit_note_value({"refunds": 3, "total_taxes": 7}).linked_refund_ids == ()
    assert credit_note_value({"total_taxes": {"amount": 9}}).tax_cents == 0


def test_a_payout_reads_as_our_value():
    payout = payout_value(
        {
            "id": "po_1",
            "amount": 98_700,
            "currency": "usd",
            "status": "paid",
            "arrival_date": 1_767_312_000,
            "created": 1_767_225_600,
        }
    )

    assert payout == PayoutValue(
        id="po_1",
        amount=Money(98_700, "USD"),
        status="paid",
        arrival_date=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_payout_fields_we_would_not_use_become_safe_defaults():
    payout = payout_value({"id": {"id": "po_2"}, "amount": "98700", "status": ["paid"], "created": -1})

    assert payout.id == "po_2"
    assert payout.amount == Money(None, "")
    assert payout.status == ""
    assert payout.arrival_date is None and payout.created is None


def test_a_balance_transaction_reads_as_our_value():
    refund = balance_transaction_value(
        {
            "id": "txn_1",
            "type": "refund",
            "source": {"id": "re_1"},
            "amount": -1_080,
            "currency": "usd",
            "exchange_rate": 1.08,
            "fee": 0,
            "net": -1_080,
            "created": 1_767_225_600,
        }
    )

    assert (refund.id, refund.type, refund.source_id) == ("txn_1", "refund", "re_1")
    assert refund.settlement == Settlement(-1_080, "USD", Decimal("1.08"))  # money out stays negative
    assert (refund.fee_cents, refund.net_cents) == (0, -1_080)
    assert refund.created == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_balance_transaction_fields_we_would_not_use_become_safe_defaults():
    transaction = balance_transaction_value(
        {"id": "txn_2", "amount": 10.5, "fee": True, "net": "970", "exchange_rate": "-1", "source": 7}
    )

    assert transaction.settlement == Settlement(None, "", None)
    assert (transaction.fee_cents, transaction.net_cents) == (None, None)
    assert (transaction.type, transaction.source_id, transaction.created) == ("", "", None)
