"""The order export's columns: each one's name, the value it reads and its cell type, defined once.

A cell type says what its cells hold twice, side by side: in Python (`write`, used on SQLite, row by row)
and in PostgreSQL's SQL (`sql`, inside the COPY that writes the CSV there). tests/finance/test_export.py
checks on PostgreSQL that both give the same text. finance.export reads the rows and writes the file.
"""

import string
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Expression, F, TextField

from catalog.money import ZERO_DECIMAL_CURRENCIES, decimal_text
from finance.csv_text import FORMULA_TRIGGERS, format_timestamp, neutralise

# Both lists as SQL, made from the Python definitions: each trigger is one character, compared by its code
# point (`ascii()` reads a text's first character as one, 0 for an empty text); currency codes are letters.
if any(len(trigger) != 1 for trigger in FORMULA_TRIGGERS):
    raise ValueError("the SQL text cell compares one character: a longer trigger needs another test there")
_SQL_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
if not all(code.isalpha() and code.isascii() for code in ZERO_DECIMAL_CURRENCIES):
    raise ValueError("currency codes are written into SQL as they are: letters only")
_SQL_ZERO_DECIMAL_CURRENCIES = ", ".join(f"'{code}'" for code in sorted(ZERO_DECIMAL_CURRENCIES))


@dataclass(frozen=True)
class CellType:
    """What one kind of cell holds, written once for each way the export is made: `write` in Python (on
    SQLite, row by row) and `sql` in PostgreSQL (inside the COPY that writes the CSV there). SQL NULL is an
    empty cell. tests/finance/test_export.py checks on PostgreSQL that both give the same text."""

    write: Callable[[Any, Any], str]  # (value, the column's second input: the row's currency) -> cell text
    sql: str  # the same, with {value} and {currency} standing for the SQL of each

    def sql_for(self, value: str, currency: str) -> str:
        return self.sql.format(value=value, currency=currency)


TEXT = CellType(
    lambda value, _currency: neutralise(value or ""),
    f"CASE WHEN ascii({{value}}) IN ({_SQL_TRIGGER_CODES}) THEN '''' || {{value}} ELSE NULLIF({{value}}, '') END",
)
# Decimal units of the row's currency (catalog.money.decimal_text); blank when unknown (a fee not fetched yet).
MONEY = CellType(
    lambda value, currency: "" if value is None else decimal_text(value, currency),
    f"CASE WHEN upper({{currency}}) IN ({_SQL_ZERO_DECIMAL_CURRENCIES}) THEN {{value}}::text "
    "ELSE ({value}::numeric / 100)::numeric(20, 2)::text END",
)
NUMBER = CellType(lambda value, _currency: str(value), "{value}::text")
TIMESTAMP = CellType(
    lambda value, _currency: format_timestamp(value),
    """to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
)
# How the order was paid: by a payment request's invoice (the received payment is that invoice's), by card
# (any other received payment), or not yet. Its second input is the order's paid time, not the currency.
# Stripe's exchange rate as plain decimal text without trailing zeros ("1.25"); blank when none.
RATE = CellType(
    lambda value, _currency: "" if value is None else format(Decimal(value).normalize(), "f"),
    "trim_scale({value})::text",
)
PAYMENT_WAY = CellType(
    lambda invoice_id, paid_at: "invoice" if invoice_id else ("card" if paid_at else ""),
    "CASE WHEN {value} IS NOT NULL THEN 'invoice' WHEN {currency} IS NOT NULL THEN 'card' END",
)
YES_NO = CellType(
    lambda value, _currency: "yes" if value else "no",
    "CASE WHEN {value} THEN 'yes' ELSE 'no' END",
)


@dataclass(frozen=True)
class Column:
    """One CSV column: its stable name, the value it reads (a field path on OrderLine or an annotation of
    finance.export.with_joins),
    and the type of cell it writes. Text cells hold what buyers, staff and Stripe typed, so they are
    neutralised; number cells are made from integers and cannot start a formula."""

    name: str
    source: str
    cell: CellType
    second: str = "order__currency"  # the cell's second input (another column's source)


# Documented in docs/finance.md (tests/finance/test_export.py checks it). Append new columns at the end; never rename, reorder or change one's meaning.
COLUMNS = [
    Column("order_reference", "order__reference", TEXT),
    Column("paid_at", "order__paid_at", TIMESTAMP),
    Column("status", "order__status", TEXT),
    Column("buyer_email", "order__email", TEXT),
    Column("buyer_name", "order__buyer_name", TEXT),
    Column("product_sku", "product_slug", TEXT),
    Column("product_name", "product_name", TEXT),
    Column("quantity", "quantity", NUMBER),
    Column("unit_price", "unit_price_cents", MONEY),
    Column("line_amount", "amount_cents", MONEY),
    Column("order_discount", "order__discount_cents", MONEY),
    Column("order_tax", "order__tax_cents", MONEY),
    Column("order_total", "order__total_cents", MONEY),
    Column("amount_refunded", "order__amount_refunded_cents", MONEY),
    Column("currency", "order__currency", TEXT),
    Column("stripe_checkout_session_id", "order__stripe_session_id", TEXT),
    Column("stripe_payment_intent_id", "order__stripe_payment_intent_id", TEXT),
    # Stripe's fee and net are in the settlement currency (the balance transaction's), like settlement_amount.
    Column("stripe_fee", "paid__fee_cents", MONEY, second="paid__settlement_currency"),
    Column("net_after_fee", "paid__net_cents", MONEY, second="paid__settlement_currency"),
    Column("needs_review", "order__needs_review", YES_NO),
    Column("invoice_number", "order__invoice_number", TEXT),
    Column("invoice_pdf_url", "order__invoice_pdf_url", TEXT),
    Column("company_name", "order__company_name", TEXT),
    Column("tax_ids", "order__tax_ids", TEXT),
    Column("billing_country", "order__billing_country", TEXT),
    Column("po_number", "order__po_number", TEXT),
    Column("bundle_credit", "adjustment_cents", MONEY),
    Column("bundle_credit_reason", "adjustment_label", TEXT),
    Column("payment_way", "paid__stripe_invoice_id", PAYMENT_WAY, second="order__paid_at"),
    Column("invoice_due_at", "invoice_request__due_at", TIMESTAMP),
    Column("refunded_at", "latest_refund_at", TIMESTAMP),
    Column("tax_behavior", "order__tax_behavior", TEXT),
    Column("taxability_reason", "order__taxability_reason", TEXT),
    # The tax part of the order's counted refunds (payments.refund_tax), in `currency`.
    Column("tax_refunded", "refunded_tax", MONEY),
    # What the received payment settled as in Stripe's balance (payments.settlement): empty until fetched.
    Column("settlement_amount", "paid__settlement_cents", MONEY, second="paid__settlement_currency"),
    Column("settlement_currency", "paid__settlement_currency", TEXT),
    Column("exchange_rate", "paid__exchange_rate", RATE),
    # The order's latest issued invoice correction (corrections): the invoice that replaced the order's own,
    # and the company name and tax ID it carries; empty when the invoice was never corrected.
    Column("corrected_invoice_number", "corrected_invoice", TEXT),
    Column("corrected_company_name", "corrected_company", TEXT),
    Column("corrected_tax_id", "corrected_tax_id", TEXT),
]
HEADER = [column.name for column in COLUMNS]
SOURCES = [column.source for column in COLUMNS]
CURRENCY = SOURCES.index("order__currency")
SECOND = [SOURCES.index(column.second) for column in COLUMNS]


def line_row(values: tuple) -> list[str]:
    """One CSV row from an order line's values, read as a plain tuple in SOURCES order (no model objects:
    building 200,000 of them costs more than writing the CSV)."""
    return [
        column.cell.write(value, values[second])
        for column, value, second in zip(COLUMNS, values, SECOND, strict=True)
    ]


class Cell(Expression):
    """A column's cell as PostgreSQL writes it: its cell type's SQL around the column and the row's currency."""

    output_field = TextField()

    def __init__(self, column: Column):
        super().__init__()
        self.column = column
        self.source_expressions = [F(column.source), F(column.second)]

    def get_source_expressions(self) -> list:
        return self.source_expressions

    def set_source_expressions(self, expressions: list) -> None:
        self.source_expressions = expressions

    def as_sql(self, compiler, connection):
        (value, value_params), (currency, currency_params) = map(compiler.compile, self.source_expressions)
        # A source may be a subquery with parameters (refunded_at's): each place the template names it
        # takes its parameters again, in the template's order.
        by_name = {"value": list(value_params), "currency": list(currency_params)}
        params = [
            param
            for _, name, _, _ in string.Formatter().parse(self.column.cell.sql)
            if name
            for param in by_name[name]
        ]
        return self.column.cell.sql_for(value, currency), params
