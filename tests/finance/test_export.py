import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from finance.columns import HEADER
from finance.csv_text import neutralise
from finance.export import ExportFilter, csv_stream, export_lines, iter_rows
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv
from tests.postgresql import postgresql_only

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def export_text(**filters) -> str:
    bom = filters.pop("bom", False)
    return "".join(csv_stream(ExportFilter(**filters), bom=bom))


def paid(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_header_row_is_the_stable_column_list():
    make_order([(make_product(), 1)])

    first_line = export_text().split("\r\n", 1)[0]

    assert first_line.split(",") == HEADER
    # The first 17 columns never change; newer ones are appended.
    assert HEADER[:17] == [
        "order_reference",
        "paid_at",
        "status",
        "buyer_email",
        "buyer_name",
        "product_sku",
        "product_name",
        "quantity",
        "unit_price",
        "line_amount",
        "order_discount",
        "order_tax",
        "order_total",
        "amount_refunded",
        "currency",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
    ]
    assert HEADER[17:] == [
        "stripe_fee",
        "net_after_fee",
        "needs_review",
        "invoice_number",
        "invoice_pdf_url",
        "company_name",
        "tax_ids",
        "billing_country",
        "po_number",
        "bundle_credit",
        "bundle_credit_reason",
        "payment_way",
        "invoice_due_at",
        "refunded_at",
        "tax_behavior",
        "taxability_reason",
        "tax_refunded",
        "settlement_amount",
        "settlement_currency",
        "exchange_rate",
        "corrected_invoice_number",
        "corrected_company_name",
        "corrected_tax_id",
    ]


def paid_by_invoice(order, due: dt.datetime) -> None:
    """The order's payment request with its Stripe invoice: issued while unpaid, paid once money is in (and
    then the received payment is that invoice's)."""
    from invoicing.models import PaymentRequest

    received = order.payments.filter(status="succeeded")
    PaymentRequest.objects.create(
        order=order,
        state="paid" if received.exists() else "issued",
        token_hash=f"hash-{order.pk}",
        buyer_name="Dana Okafor",
        buyer_email="dana@example.com",
        payer_name="Accounts",
        payer_email="ap@example.com",
        company_name="Northlight Pictures",
        billing_country="GB",
        stripe_invoice_id=f"in_{order.pk}",
        due_at=due,
    )
    received.update(stripe_invoice_id=f"in_{order.pk}", stripe_session_id=None)


def test_payment_way_and_invoice_due_date_are_the_last_columns():
    product = make_product()
    card = make_order([(product, 1)])
    invoice = make_order([(product, 2)])
    paid_by_invoice(invoice, due=paid(2026, 4, 30))
    waiting = make_order([(product, 3)], status="pending")
    paid_by_invoice(waiting, due=paid(2026, 5, 31, 23, 59))
    unpaid = make_order([(product, 1)], status="pending")

    rows = {row["order_reference"]: row for row in read_csv(export_text())}

    assert (rows[card.reference]["payment_way"], rows[card.reference]["invoice_due_at"]) == ("card", "")
    assert (rows[invoice.reference]["payment_way"], rows[invoice.reference]["invoice_due_at"]) == (
        "invoice",
        "2026-04-30T12:00:00Z",
    )
    # An invoice issued and not paid yet: nothing received, but its due date is known.
    assert (rows[waiting.reference]["payment_way"], rows[waiting.reference]["invoice_due_at"]) == (
        "",
        "2026-05-31T23:59:00Z",
    )
    assert (rows[unpaid.reference]["payment_way"], rows[unpaid.reference]["invoice_due_at"]) == ("", "")
    assert len(rows) == 4  # one row per line: the request's join adds none


def test_refunded_at_is_the_latest_succeeded_refund():
    from payments.models import Refund

    product = make_product()
    refunded = make_order(
        [(product, 1), (make_product(), 2)], status="partially_refunded", amount_refunded_cents=500
    )
    refunded.refunds.update(created=paid(2026, 3, 2, 9, 15))
    Refund.objects.create(
        order=refunded,
        stripe_refund_id="re_later",
        amount_cents=300,
        currency="USD",
        status="succeeded",
        created=paid(2026, 3, 9, 8, 0),
    )
    Refund.objects.create(
        order=refunded,
        stripe_refund_id="re_pending",
        amount_cents=100,
        currency="USD",
        status="pending",
        created=paid(2026, 3, 20),
    )
    Refund.objects.create(
        order=refunded,
        stripe_refund_id="re_failed",
        amount_cents=100,
        currency="USD",
        status="failed",
        created=paid(2026, 3, 21),
    )
    untouched = make_order([(product, 1)])

    rows = read_csv(export_text())

    assert [row["refunded_at"] for row in rows if row["order_reference"] == refunded.reference] == [
        "2026-03-09T08:00:00Z",
        "2026-03-09T08:00:00Z",
    ]
    assert [row["refunded_at"] for row in rows if row["order_reference"] == untouched.reference] == [""]


def test_one_row_per_line_with_the_order_columns_repeated():
    course, kit = make_product(price_cents=12000), make_product(price_cents=3000)
    order = make_order(
        [(course, 2), (kit, 1)],
        stripe_session_id="cs_test_abc",
        stripe_payment_intent_id="pi_test_abc",
        email="pat@example.com",
        buyer_name="Pat Lee",
    )

    rows = read_csv(export_text())

    assert [row["product_sku"] for row in rows] == [course.slug, kit.slug]
    assert [row["quantity"] for row in rows] == ["2", "1"]
    assert [row["line_amount"] for row in rows] == ["240.00", "30.00"]
    for row in rows:
        assert row["order_reference"] == order.reference
        assert row["buyer_email"] == "pat@example.com"
        assert row["buyer_name"] == "Pat Lee"
        assert row["order_total"] == "270.00"
        assert row["currency"] == "USD"
        assert row["stripe_checkout_session_id"] == "cs_test_abc"
        assert row["stripe_payment_intent_id"] == "pi_test_abc"


def test_line_amounts_minus_discount_plus_tax_equal_each_order_total_on_mixed_data():
    course, kit, bundle = (
        make_product(price_cents=14950),
        make_product(price_cents=1999),
        make_product(price_cents=30001),
    )
    orders = [
        make_order([(course, 1)]),
        make_order([(course, 3), (kit, 2)], discount_cents=2599, tax_cents=1234),
        make_order([(bundle, 1), (kit, 1)], status="partially_refunded", amount_refunded_cents=1999),
        make_order([(kit, 5)], status="refunded", tax_cents=77, amount_refunded_cents=10072),
        make_order([(make_product(price_cents=4550, currency="EUR"), 2)], discount_cents=50),
        make_order([(bundle, 2)], status="pending", discount_cents=1),
    ]

    rows = read_csv(export_text())

    lines_by_order: dict[str, Decimal] = defaultdict(Decimal)
    order_figures: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for row in rows:
        lines_by_order[row["order_reference"]] += Decimal(row["line_amount"])
        assert Decimal(row["quantity"]) * Decimal(row["unit_price"]) == Decimal(row["line_amount"])
        order_figures[row["order_reference"]] = (
            Decimal(row["order_discount"]),
            Decimal(row["order_tax"]),
            Decimal(row["order_total"]),
        )
    assert set(order_figures) == {order.reference for order in orders}
    for reference, (discount, tax, total) in order_figures.items():
        assert lines_by_order[reference] - discount + tax == total
    for order in orders:
        assert order_figures[order.reference][2] == Decimal(order.total_cents) / 100


def test_amounts_are_decimal_units_with_two_decimals():
    make_order([(make_product(price_cents=14700), 1), (make_product(price_cents=1250), 1)], tax_cents=5)

    rows = read_csv(export_text())

    assert [row["unit_price"] for row in rows] == ["147.00", "12.50"]
    assert rows[0]["order_tax"] == "0.05"
    assert rows[0]["order_discount"] == "0.00"
    assert rows[0]["amount_refunded"] == "0.00"


def test_paid_at_is_written_in_utc_iso_8601():
    paris_evening = dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    make_order([(make_product(), 1)], paid_at=paris_evening)
    make_order([(make_product(), 1)], status="pending")

    rows = read_csv(export_text())

    assert rows[0]["paid_at"] == "2026-01-05T21:30:00Z"
    assert rows[1]["paid_at"] == ""


def test_a_formula_in_the_buyer_name_is_neutralised():
    make_order([(make_product(), 1)], buyer_name='=HYPERLINK("http://x","y")')

    text = export_text()

    assert read_csv(text)[0]["buyer_name"] == '\'=HYPERLINK("http://x","y")'
    assert ',"\'=HYPERLINK(""http://x"",""y"")",' in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize("value", ["=1+2", "+44 20 7946 0000", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"])
def test_every_formula_trigger_is_prefixed_with_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Pat Lee", "O'Brien", "a=b", "", "12.50"])
def test_ordinary_values_are_left_alone(value):
    assert neutralise(value) == value


def test_formula_triggers_in_other_text_columns_are_neutralised_too():
    product = make_product(name="@cmd product", slug="plain-slug")
    make_order([(product, 1)], email="-me@example.com", stripe_payment_intent_id="+pi")

    row = read_csv(export_text())[0]

    assert row["product_name"] == "'@cmd product"
    assert row["buyer_email"] == "'-me@example.com"
    assert row["stripe_payment_intent_id"] == "'+pi"


def test_commas_quotes_and_line_breaks_survive_rfc_4180_quoting():
    tricky = 'Smith, "Jo"\nSecond line'
    make_order([(make_product(), 1)], buyer_name=tricky)

    text = export_text()

    assert read_csv(text)[0]["buyer_name"] == tricky
    assert '"Smith, ""Jo""\nSecond line"' in text
    assert text.endswith("\r\n") and text.count("\r\n") == 2


def test_utf8_text_is_kept_and_the_bom_is_optional():
    make_order([(make_product(), 1)], buyer_name="Zoë Łukasiewicz")

    plain, with_bom = export_text(), export_text(bom=True)

    assert not plain.startswith("\ufeff")
    assert with_bom.startswith("\ufeff") and with_bom[1:] == plain
    assert read_csv(plain)[0]["buyer_name"] == "Zoë Łukasiewicz"


def test_date_range_includes_since_and_excludes_until():
    product = make_product()
    inside = [
        make_order([(product, 1)], paid_at=paid(2026, 1, 1, 0, 0)),
        make_order([(product, 1)], paid_at=dt.datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)),
    ]
    make_order([(product, 1)], paid_at=paid(2026, 2, 1, 0, 0))
    make_order([(product, 1)], paid_at=dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
    make_order([(product, 1)], status="pending")

    rows = read_csv(export_text(since=dt.date(2026, 1, 1), until=dt.date(2026, 2, 1)))

    assert [row["order_reference"] for row in rows] == [order.reference for order in inside]


def test_status_filter_keeps_only_that_status():
    product = make_product()
    refunded = make_order([(product, 1)], status="refunded", amount_refunded_cents=product.price_cents)
    make_order([(product, 1)], status="paid")

    rows = read_csv(export_text(status="refunded"))

    assert {row["order_reference"] for row in rows} == {refunded.reference}
    assert rows[0]["status"] == "refunded"


def test_product_filter_exports_every_line_of_the_orders_that_include_it():
    wanted, other = make_product(price_cents=5000), make_product(price_cents=700)
    mixed = make_order([(other, 1), (wanted, 1)])
    make_order([(other, 2)])

    rows = read_csv(export_text(product=wanted))

    assert {row["order_reference"] for row in rows} == {mixed.reference}
    assert sorted(row["product_sku"] for row in rows) == sorted([wanted.slug, other.slug])


def count_export_queries(order_count: int) -> tuple[list[str], int]:
    product = make_product()
    for _ in range(order_count):
        make_order([(product, 1), (make_product(), 2)])
    with CaptureQueriesContext(connection) as queries:
        rows = read_csv("".join(csv_stream(ExportFilter(), chunk_size=3)))
    return [query["sql"] for query in queries], len(rows)


def test_the_export_query_count_does_not_depend_on_the_number_of_orders():
    few_queries, few_rows = count_export_queries(2)
    many_queries, many_rows = count_export_queries(18)

    assert (few_rows, many_rows) == (4, 40)
    # One SELECT, wrapped in a transaction (a savepoint inside the test's own transaction).
    selects = [sql for sql in many_queries if "SELECT" in sql]
    assert len(selects) == 1 and "JOIN" in selects[0]
    assert len(few_queries) == len(many_queries) <= 3


def test_every_column_is_documented_in_the_finance_docs():
    finance_docs = (Path(__file__).resolve().parents[2] / "docs" / "finance.md").read_text()

    for column in HEADER:
        assert f"| `{column}` |" in finance_docs


def test_a_download_abandoned_half_way_ends_its_transaction():
    product = make_product()
    for _ in range(3):
        make_order([(product, 1)])
    savepoints_before = list(connection.savepoint_ids)

    rows = iter_rows(export_lines(ExportFilter()), chunk_size=1)
    next(rows), next(rows)  # the header, then the first line from the open cursor
    assert len(connection.savepoint_ids) == len(savepoints_before) + 1
    rows.close()  # what the server does when the client goes away

    assert connection.savepoint_ids == savepoints_before


def test_the_row_builder_writes_each_column_with_its_cell_type():
    from finance.columns import COLUMNS, MONEY, RATE, TEXT, TIMESTAMP, YES_NO, line_row

    values = [None] * len(COLUMNS)
    for i, column in enumerate(COLUMNS):
        values[i] = {
            TEXT: "=x",
            MONEY: -5,
            TIMESTAMP: paid(2026, 3, 1),
            YES_NO: True,
            RATE: Decimal("1.2500000000"),
        }.get(column.cell, 7)
    values[HEADER.index("currency")] = "USD"
    values[HEADER.index("settlement_currency")] = "JPY"

    row = dict(zip(HEADER, line_row(tuple(values)), strict=True))

    assert row["buyer_name"] == "'=x" and row["currency"] == "USD"
    assert row["order_total"] == "-0.05" and row["tax_refunded"] == "-0.05"
    # Stripe's fee and the settled amount are in the settlement currency (zero-decimal here).
    assert row["stripe_fee"] == "-5" and row["settlement_amount"] == "-5"
    assert row["exchange_rate"] == "1.25"
    assert row["paid_at"] == "2026-03-01T12:00:00Z"
    assert row["needs_review"] == "yes" and row["quantity"] == "7"


TRICKY_TEXT = [
    None,
    "",
    "Pat Lee",
    "=1+2",
    "+44 20",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "\nLine",
    " =spaced",
    "'already",
    'Smith, "Jo"\nSecond line',
    "a,b",
    'say "hi"',
    "ends with CR\r",
    "Zoë Łukasiewicz",
    "=Zoë",
    "\\.",
    "NULL",
    "tab\tinside",
]


def sql_cell(database: str, cell, value, currency: str, value_type: str) -> str | None:
    with connections[database].cursor() as cursor:
        cursor.execute(
            # The cell's own SQL template and a type name from the test: no outside input.
            f"SELECT {cell.sql_for('v', 'c')} FROM (SELECT %s::{value_type} AS v, %s::text AS c) AS t",  # noqa: S608
            [value, currency],
        )
        return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.parametrize("value", TRICKY_TEXT)
def test_a_text_cell_in_sql_is_the_python_text_cell(on_postgresql, value):
    from finance.columns import TEXT

    assert (sql_cell(on_postgresql, TEXT, value, "USD", "text") or "") == TEXT.write(value, "USD")


@postgresql_only
@pytest.mark.parametrize("currency", ["USD", "JPY", "eur", "jpy", "Krw", "BHD"])
@pytest.mark.parametrize(
    "cents", [None, 0, 1, 5, 99, 100, 101, 123456, -1, -5, -100, -123456, 99_999_999, 2**40]
)
def test_a_money_cell_in_sql_is_the_python_money_cell(on_postgresql, cents, currency):
    from finance.columns import MONEY

    assert (sql_cell(on_postgresql, MONEY, cents, currency, "bigint") or "") == MONEY.write(cents, currency)


@postgresql_only
@pytest.mark.parametrize(
    "rate",
    [None, Decimal("1.25"), Decimal("1"), Decimal("100"), Decimal("0.0000000001"), Decimal("1.2345678901")],
)
def test_a_rate_cell_in_sql_is_the_python_rate_cell(on_postgresql, rate):
    from finance.columns import RATE

    assert (sql_cell(on_postgresql, RATE, rate, "USD", "numeric(20, 10)") or "") == RATE.write(rate, "USD")


@postgresql_only
@pytest.mark.parametrize(
    "moment",
    [
        None,
        dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC),
        dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2026, 12, 31, 22, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(2000, 1, 1, tzinfo=UTC),
    ],
)
def test_a_timestamp_cell_in_sql_is_the_python_timestamp_cell(on_postgresql, moment):
    from finance.columns import TIMESTAMP

    assert (sql_cell(on_postgresql, TIMESTAMP, moment, "USD", "timestamptz") or "") == TIMESTAMP.write(
        moment, "USD"
    )


@postgresql_only
@pytest.mark.parametrize(
    ("cell_name", "value", "value_type"),
    [
        ("NUMBER", 3, "integer"),
        ("NUMBER", 0, "integer"),
        ("YES_NO", True, "boolean"),
        ("YES_NO", False, "boolean"),
    ],
)
def test_number_and_yes_no_cells_in_sql_are_the_python_ones(on_postgresql, cell_name, value, value_type):
    from finance import columns

    cell = getattr(columns, cell_name)
    assert sql_cell(on_postgresql, cell, value, "USD", value_type) == cell.write(value, "USD")


def python_export_text(bom: bool = False) -> str:
    from finance.csv_text import iter_csv

    return "".join(iter_csv(iter_rows(export_lines(ExportFilter())), bom=bom))


@postgresql_only
@pytest.mark.parametrize("bom", [False, True])
def test_postgresql_writes_the_same_bytes_as_the_python_writer(on_postgresql, bom):
    texts = itertools.cycle(TRICKY_TEXT[1:])
    product = make_product(name='@Kit, "deluxe"\nedition', slug="kit")
    yen = make_product(price_cents=14700, currency="JPY", name="Zoë's kit")
    for n in range(12):
        order = make_order(
            [(product, 1 + n % 3), (yen if n % 4 == 0 else make_product(price_cents=n * 37), 2)],
            status=["paid", "pending", "refunded", "partially_refunded"][n % 4],
            fee_cents=None if n % 3 else n * 11,
            buyer_name=next(texts),
            email=next(texts),
            company_name=next(texts),
            tax_ids=next(texts),
            po_number=next(texts),
            discount_cents=n,
            tax_cents=n * 3,
            amount_refunded_cents=n * 5 if n % 4 in (2, 3) else 0,
            needs_review=n % 2 == 0,
            invoice_number=f"INV-{n}" if n % 2 else "",
            stripe_payment_intent_id="+pi" if n == 5 else f"pi_{n}",
        )
        order.lines.filter(pk=order.lines.first().pk).update(
            adjustment_cents=n * 101, adjustment_label=next(texts)
        )
        if n % 3 == 1:
            paid_by_invoice(order, due=paid(2026, 3, 1 + n))
        from payments.models import Payment, Refund

        # Settled in dollars at a rate, in yen, unconverted, or not fetched yet.
        Payment.objects.filter(order=order).update(
            settlement_cents=n * 1234 - 7,
            settlement_currency=["USD", "JPY", "GBP", ""][n % 4],
            exchange_rate=[Decimal("1.27"), None, Decimal("0.0067"), None][n % 4],
        )
        if n % 4 == 3:
            Refund.objects.create(
                order=order,
                stripe_refund_id=f"re_more_{n}",
                amount_cents=1,
                tax_cents=n,
                currency=order.currency,
                status="succeeded" if n % 8 == 3 else "pending",
                created=paid(
                    2026,
                    4,
                    n,
                    7,
                    30,
                ),
            )

    with CaptureQueriesContext(connections[on_postgresql]) as queries:
        copied = export_text(bom=bom)

    assert any(query["sql"].startswith("COPY (SELECT") for query in queries)
    assert copied.encode() == python_export_text(bom=bom).encode()
    assert copied.count("\r\n") > 24  # the rows are there, with CRLF ends


@postgresql_only
def test_an_abandoned_postgresql_download_leaves_the_connection_as_it_was(on_postgresql):
    product = make_product()
    for _ in range(1200):  # more than one piece, so the COPY is still sending when the client goes
        make_order([(product, 1)])
    connection = connections[on_postgresql]
    savepoints_before = list(connection.savepoint_ids)

    stream = csv_stream(ExportFilter())
    next(stream), next(stream)  # the header, then the first piece of rows
    assert len(connection.savepoint_ids) == len(savepoints_before) + 1
    stream.close()  # what the server does when the client goes away

    assert connection.savepoint_ids == savepoints_before
    assert read_csv(export_text())[-1]["product_sku"] == product.slug  # the connection still works


def test_the_tax_columns_at_the_end_say_how_stripe_tax_charged_the_order():
    reverse_charged = make_order(
        [(make_product(), 1)],
        tax_behavior="exclusive",
        taxability_reason="reverse_charge",
        tax_ids="eu_vat DE1",
    )

    (row,) = [r for r in read_csv(export_text()) if r["order_reference"] == reverse_charged.reference]

    assert HEADER[HEADER.index("tax_behavior") :][:2] == ["tax_behavior", "taxability_reason"]
    assert (row["tax_behavior"], row["taxability_reason"], row["tax_ids"]) == (
        "exclusive",
        "reverse_charge",
        "eu_vat DE1",
    )
