"""Money a buyer paid in pounds or euros settles in dollars: each payment and refund records what its
balance transaction settled as (amount, currency, Stripe's rate), the exports carry both sides, and a payout
in dollars matches our records to the cent. The fake settles GBP at 1.25 and EUR at 1.08
(stripe_sandbox/payments.py)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from finance import payouts as payouts_csv
from finance.export import ExportFilter, csv_stream
from finance.payouts import payout_summaries
from finance.transactions import HEADER, TransactionFilter, rows
from payments.models import Payment, Refund
from tests.checkout.conftest import completed_event
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


def converted(cents: int, rate: str) -> int:
    return int((Decimal(cents) * Decimal(rate)).quantize(Decimal(1), ROUND_HALF_UP))


def movements(**filters) -> list[dict[str, str]]:
    lines = [",".join(row) for row in rows(TransactionFilter(**filters))]
    return read_csv("\n".join(lines))


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.fixture
def pound_order(buy, fake_stripe, deliver_event):
    product = make_product(price_cents=10_001, currency="GBP", kind="course")
    _, order = buy(product.slug)
    assert order.currency == "GBP"
    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()
    return order


def test_a_pound_payment_records_what_it_settled_as_in_dollars(pound_order, fake_stripe):
    charge = fake_stripe.charge_for(pound_order.stripe_session_id)
    transaction = fake_stripe.balance_transactions[charge["balance_transaction"]]
    payment = Payment.objects.get(order=pound_order)

    assert (payment.amount_cents, payment.currency) == (pound_order.total_cents, "GBP")
    assert payment.settlement_cents == converted(pound_order.total_cents, "1.25") == transaction["amount"]
    assert (payment.settlement_currency, payment.exchange_rate) == ("USD", Decimal("1.25"))
    # Stripe's fee and net are in dollars too, and add up there.
    assert payment.fee_cents == transaction["fee"]
    assert payment.net_cents == payment.settlement_cents - payment.fee_cents


def test_a_dollar_payment_settles_unconverted(catalog, buy, fake_stripe, deliver_event):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order))

    payment = Payment.objects.get(order=order)

    assert (payment.settlement_cents, payment.settlement_currency) == (payment.amount_cents, "USD")
    assert payment.exchange_rate is None


def test_a_pound_refund_is_in_pounds_and_records_the_dollars_it_took(pound_order, fake_stripe, deliver_event):
    refund = fake_stripe.refund(pound_order.stripe_session_id, amount=3333)
    deliver_event(make_event("refund.created", refund))

    record = Refund.objects.get()

    assert (record.amount_cents, record.currency) == (3333, "GBP")
    assert record.settlement_cents == converted(3333, "1.25") == 4166  # 41.6625 rounds half up to 41.66
    assert (record.settlement_currency, record.exchange_rate) == ("USD", Decimal("1.25"))


def test_a_dollar_payout_of_pound_money_matches_our_records_to_the_cent(
    pound_order, fake_stripe, deliver_event
):
    for amount in (3333, 1):  # amounts whose conversions round
        deliver_event(
            make_event("refund.created", fake_stripe.refund(pound_order.stripe_session_id, amount=amount))
        )
    payout = fake_stripe.payout()
    deliver_event(make_event("payout.paid", payout))

    (summary,) = payout_summaries()
    paid_out = [m for m in movements() if m["stripe_payout_id"] == payout["id"]]

    assert summary.payout.currency == "USD" and len(summary.rows) == 3
    assert all(row.recorded_cents is not None for row in summary.rows)
    assert summary.recorded_cents == payout["amount"] and summary.difference_cents == 0
    # The export's rows of the payout add up to it in the settlement currency.
    assert {m["settlement_currency"] for m in paid_out} == {"USD"}
    assert sum(cents(m["settlement_amount"]) for m in paid_out) == payout["amount"]
    # The page's file names the pounds behind each dollar figure.
    file_rows = read_csv("".join(payouts_csv.csv_stream()))
    charge_row = next(r for r in file_rows if r["transaction_type"] == "charge")
    assert (charge_row["order_amount"], charge_row["order_currency"], charge_row["exchange_rate"]) == (
        "100.01",
        "GBP",
        "1.25",
    )
    assert charge_row["our_records"] == charge_row["net_at_stripe"]


def test_a_conversion_not_read_yet_is_no_match_and_shows_as_a_difference(
    pound_order, fake_stripe, deliver_event
):
    Payment.objects.filter(order=pound_order).update(settlement_cents=None, settlement_currency="")
    payout = fake_stripe.payout()
    deliver_event(make_event("payout.paid", payout))

    (summary,) = payout_summaries()

    (row,) = summary.rows
    assert row.recorded_cents is None and row.recorded.currency == "GBP"
    assert summary.difference_cents == payout["amount"]


def test_the_money_movement_export_carries_both_currencies(pound_order, fake_stripe, deliver_event):
    deliver_event(
        make_event("refund.created", fake_stripe.refund(pound_order.stripe_session_id, amount=1000))
    )
    payment = Payment.objects.get(order=pound_order)

    by_type = {m["type"]: m for m in movements()}

    assert HEADER[-10:] == [
        "tax_amount",
        "tax_country",
        "tax_behavior",
        "taxability_reason",
        "buyer_tax_ids",
        "order_currency",
        "amount_in_order_currency",
        "settlement_amount",
        "settlement_currency",
        "exchange_rate",
    ]
    paid, fee, refund = by_type["payment"], by_type["stripe_fee"], by_type["refund"]
    assert (paid["amount"], paid["currency"], paid["amount_in_order_currency"]) == ("100.01", "GBP", "100.01")
    assert (paid["settlement_amount"], paid["settlement_currency"], paid["exchange_rate"]) == (
        "125.01",
        "USD",
        "1.25",
    )
    # Stripe charged its fee in dollars: the fee row says so, and has no amount in pounds.
    assert (cents(fee["amount"]), fee["currency"], fee["amount_in_order_currency"]) == (
        -payment.fee_cents,
        "USD",
        "",
    )
    assert fee["order_currency"] == "GBP" and fee["exchange_rate"] == ""
    assert (refund["amount"], refund["currency"], refund["settlement_amount"]) == ("-10.00", "GBP", "-12.50")


def test_the_orders_export_carries_the_settlement_of_the_payment(pound_order):
    (row,) = read_csv("".join(csv_stream(ExportFilter())))

    assert (row["order_total"], row["currency"]) == ("100.01", "GBP")
    assert (row["settlement_amount"], row["settlement_currency"], row["exchange_rate"]) == (
        "125.01",
        "USD",
        "1.25",
    )
    assert cents(row["net_after_fee"]) == cents(row["settlement_amount"]) - cents(row["stripe_fee"])


def test_a_yen_order_settled_in_dollars_writes_each_figure_in_its_own_currency():
    yen = make_order([(make_product(price_cents=14700, currency="JPY"), 1)], fee_cents=None)
    Payment.objects.filter(order=yen).update(
        settlement_cents=9849,
        settlement_currency="USD",
        exchange_rate=Decimal("0.67"),
        fee_cents=316,
        net_cents=9533,
    )

    (row,) = read_csv("".join(csv_stream(ExportFilter())))
    by_type = {m["type"]: m for m in movements()}

    assert (row["order_total"], row["settlement_amount"], row["stripe_fee"]) == ("14700", "98.49", "3.16")
    assert row["exchange_rate"] == "0.67"
    assert by_type["payment"]["amount"] == "14700" and by_type["payment"]["settlement_amount"] == "98.49"
    assert (by_type["stripe_fee"]["amount"], by_type["stripe_fee"]["currency"]) == ("-3.16", "USD")


def test_the_fake_reports_a_pound_charge_in_dollars_through_the_stripe_library(pound_order, fake_stripe):
    from checkout.stripe_client import stripe_client

    charge = fake_stripe.charge_for(pound_order.stripe_session_id)
    refund = fake_stripe.refund(pound_order.stripe_session_id, amount=2)
    client = stripe_client().v1

    transaction = client.balance_transactions.retrieve(charge["balance_transaction"]).to_dict()
    (listed,) = client.refunds.list(
        params={"payment_intent": charge["payment_intent"], "expand": ["data.balance_transaction"]}
    ).data

    assert (transaction["currency"], transaction["exchange_rate"]) == ("usd", 1.25)
    assert transaction["amount"] == 12501 and transaction["net"] == 12501 - transaction["fee"]
    assert listed.id == refund["id"]
    assert (listed.balance_transaction.amount, listed.balance_transaction.currency) == (-3, "usd")  # 2.5 up


def test_a_dispute_of_pound_money_is_matched_in_dollars_leaving_only_stripes_fee(
    pound_order, fake_stripe, deliver_event
):
    dispute = fake_stripe.dispute(pound_order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    payout = fake_stripe.payout()
    deliver_event(make_event("payout.paid", payout))

    (summary,) = payout_summaries()
    withdrawal = next(m for m in movements() if m["type"] == "dispute_withdrawal")

    assert all(row.recorded_cents is not None for row in summary.rows)
    assert summary.difference_cents == -1875  # Stripe's 15.00 dispute fee, in pounds, as dollars
    assert (withdrawal["amount"], withdrawal["currency"]) == ("-100.01", "GBP")
    assert (withdrawal["settlement_amount"], withdrawal["settlement_currency"]) == ("-125.01", "USD")
    assert withdrawal["exchange_rate"] == "1.25"


def test_a_euro_payment_settles_at_the_fakes_euro_rate(buy, fake_stripe, deliver_event):
    product = make_product(price_cents=4999, currency="EUR", kind="course")
    _, order = buy(product.slug)
    deliver_event(completed_event(fake_stripe, order))

    payment = Payment.objects.get(order=order)

    assert payment.currency == "EUR" and payment.amount_cents == order.total_cents
    assert payment.settlement_cents == converted(order.total_cents, "1.08")
    assert (payment.settlement_currency, payment.exchange_rate) == ("USD", Decimal("1.08"))


def test_the_payouts_page_shows_the_pounds_and_rate_behind_each_dollar_line(
    pound_order, fake_stripe, deliver_event, admin_client
):
    from django.urls import reverse

    deliver_event(make_event("payout.paid", fake_stripe.payout()))

    page = admin_client.get(reverse("finance:payouts")).content.decode()

    assert "£100.01 at 1.25" in page
    assert 'Difference from the payout</th><td class="num">none' in page
