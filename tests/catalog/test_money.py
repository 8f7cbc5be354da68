from decimal import Decimal

import pytest

from catalog.money import format_money, to_decimal


@pytest.mark.parametrize(
    ("cents", "currency", "expected"),
    [
        (14700, "USD", "$147"),
        (123450, "USD", "$1,234.50"),
        (5, "USD", "$0.05"),
        (0, "USD", "$0"),
        (-2500, "USD", "-$25"),
        (999, "EUR", "€9.99"),
        (1000, "SEK", "10 SEK"),
    ],
)
def test_format_money(cents, currency, expected):
    assert format_money(cents, currency) == expected


def test_to_decimal_keeps_two_places_without_floats():
    assert to_decimal(14700) == Decimal("147.00")
    assert str(to_decimal(1)) == "0.01"


@pytest.mark.parametrize(
    ("amount", "currency", "shown", "decimal"),
    [
        (14700, "JPY", "¥14,700", Decimal("14700")),
        (5, "KRW", "5 KRW", Decimal("5")),
        (14700, "usd", "$147", Decimal("147.00")),
    ],
)
def test_zero_decimal_currencies_are_whole_units(amount, currency, shown, decimal):
    assert format_money(amount, currency) == shown
    assert to_decimal(amount, currency) == decimal


@pytest.mark.parametrize(
    ("cents", "currency"),
    [
        (0, "USD"),
        (1, "USD"),
        (99, "USD"),
        (100, "EUR"),
        (14700, "USD"),
        (123456789, "GBP"),
        (-2550, "USD"),
        (-1, "USD"),
        (14700, "JPY"),
        (-5, "KRW"),
        (7, "jpy"),
    ],
)
def test_decimal_text_is_the_decimal_written_out(cents, currency):
    from catalog.money import decimal_text

    assert decimal_text(cents, currency) == str(to_decimal(cents, currency))
