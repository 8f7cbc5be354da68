"""The money-movement export's last columns (finance.transactions): the order's tax facts and the
movement's currency facts, read with each movement as a plain tuple and written here.

    (tax part, order currency, country, tax behaviour, taxability reason, tax ids, amount in the order's
     currency, settled amount, settlement currency, exchange rate)
"""

from catalog.money import decimal_text
from finance.columns import RATE
from finance.csv_text import neutralise

# Added at the end (the columns before them never change): the order's tax and currency facts.
TAX_AND_CURRENCY_COLUMNS = [
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
# The order's facts every movement carries, read with it.
ORDER_FACTS = (
    "order__currency",
    "order__billing_country",
    "order__tax_behavior",
    "order__taxability_reason",
    "order__tax_ids",
)


def fact_cells(facts: tuple) -> list[str]:
    tax, currency, country, behavior, reason, tax_ids, in_order, settled, settled_currency, rate = facts
    return [
        "" if tax is None else decimal_text(tax, currency),
        neutralise(country),
        neutralise(behavior),
        neutralise(reason),
        neutralise(tax_ids),
        neutralise(currency),
        "" if in_order is None else decimal_text(in_order, currency),
        "" if settled is None else decimal_text(settled, settled_currency),
        neutralise(settled_currency),
        RATE.write(rate, settled_currency),
    ]
