"""Prices per currency: staff's pound and euro prices beside the dollar one, bundle savings derived in each
currency from the parts' prices there, pages and structured data in the visitor's currency, zero-decimal
safety. Figures are read from the seeded catalogue, never typed from it."""

import json
import re
from decimal import Decimal

import pytest
from django.core import checks
from django.urls import reverse

from catalog.admin_forms import ProductPriceForm
from catalog.checks import check_catalogue_ready
from catalog.models import PriceChange, Product, ProductPrice
from catalog.money import format_money, to_minor_units
from catalog.selectors import listed_products
from tests.factories import make_product, make_staff, product_admin_form


def price(product: Product, currency: str) -> int:
    return product.price_in(currency)


def parts(catalog) -> list[Product]:
    return [catalog[slug] for slug in ("level-i", "level-ii", "resume-kit", "ai-kit")]


@pytest.mark.parametrize("currency", ["USD", "GBP", "EUR"])
def test_bundle_value_and_savings_come_from_the_parts_prices_in_each_currency(catalog, currency):
    bundle = listed_products(currency).get(slug="bundle")
    expected_value = sum(price(part, currency) for part in parts(catalog))

    pricing = bundle.pricing
    assert pricing.currency == currency
    assert pricing.separate_value_cents == expected_value
    assert pricing.savings_cents == expected_value - price(catalog["bundle"], currency)
    assert pricing.has_savings


def test_the_currencies_figures_differ_so_none_is_a_copy_of_another(catalog):
    values = {currency: listed_products(currency).get(slug="bundle").pricing for currency in ("GBP", "EUR")}
    # Pounds are not dollars relabelled: the GBP value is the GBP parts, not the USD ones.
    assert values["GBP"].separate_value_cents != catalog["bundle"].pricing.separate_value_cents
    assert values["GBP"].separate_value_cents != values["EUR"].separate_value_cents


def test_a_part_without_a_price_in_a_currency_drops_the_savings_claim_there_only(catalog):
    ProductPrice.objects.filter(product=catalog["resume-kit"], currency="GBP").delete()

    in_pounds = listed_products("GBP").get(slug="bundle").pricing
    in_euros = listed_products("EUR").get(slug="bundle").pricing

    assert in_pounds.unpriced_component_count == 1
    assert not in_pounds.has_savings and in_pounds.claimed_savings_cents == 0
    assert in_euros.has_savings
    page = _page(reverse("catalog:product", args=["bundle"]), currency="GBP")
    assert "You save" not in page and "Separate value" not in page
    assert format_money(price(catalog["bundle"], "GBP"), "GBP") in page  # the Bundle itself is still sold
    assert "You save" in _page(reverse("catalog:product", args=["bundle"]), currency="EUR")


def test_pricing_in_a_currency_stays_one_query_whatever_the_catalogue(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        products = list(listed_products("GBP"))
        assert all(product.pricing is None or product.pricing.has_savings for product in products)


def test_a_product_without_a_price_in_the_visitors_currency_is_not_offered_there(client, catalog):
    kit = catalog["ai-kit"]
    ProductPrice.objects.filter(product=kit, currency="EUR").delete()

    page = client.get(reverse("catalog:product", args=[kit.slug]), {"currency": "EUR"}).content.decode()

    assert "is not sold in euros yet" in page
    assert f'href="{reverse("checkout:review", args=[kit.slug])}"' not in page
    assert listed_products("EUR").get(slug=kit.slug).offered is False
    assert listed_products("GBP").get(slug=kit.slug).offered is True


def test_product_page_structured_data_names_the_currency_the_page_shows(client, catalog):
    level_i = catalog["level-i"]

    for currency in ("USD", "GBP", "EUR"):
        response = client.get(reverse("catalog:product", args=["level-i"]), {"currency": currency})
        offer = _product_data(response.content.decode())["offers"]
        assert offer["priceCurrency"] == currency
        assert Decimal(offer["price"]) * 100 == price(level_i, currency)


def test_footer_and_prices_follow_the_visitors_currency(client, catalog):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()

    assert "Prices in pounds sterling." in page
    assert format_money(price(catalog["level-i"], "GBP"), "GBP") in page
    assert format_money(catalog["level-i"].price_cents, "USD") not in page


def test_faq_placeholders_fill_in_the_visitors_currency(client, catalog, faq_questions):
    pounds = client.get(reverse("faq:list"), {"currency": "GBP"}).content.decode()
    dollars = client.get(reverse("faq:list")).content.decode()

    bundle_gbp = format_money(price(catalog["bundle"], "GBP"), "GBP")
    assert bundle_gbp in pounds and bundle_gbp not in dollars
    assert "{price:" not in pounds


def test_the_sitemap_lists_the_same_pages_whatever_the_currency(client, catalog):
    dollars = client.get("/sitemap.xml")
    pounds = client.get("/sitemap.xml", HTTP_ACCEPT_LANGUAGE="en-GB")

    assert dollars.status_code == pounds.status_code == 200
    assert dollars.content == pounds.content
    assert b"currency" not in pounds.content


def test_a_zero_decimal_product_keeps_whole_units_for_a_default_visitor_and_is_not_sold_in_pounds(client, db):
    yen = make_product(price_cents=14700, currency="JPY")

    default = client.get(yen.get_absolute_url()).content.decode()
    pounds = client.get(yen.get_absolute_url(), {"currency": "GBP"}).content.decode()

    assert "¥14,700" in default and "¥147.00" not in default
    assert '"priceCurrency":"JPY"' in default and '"price":"14700"' in default
    assert "is not sold in pounds sterling yet" in pounds


def test_minor_units_of_pounds_and_euros_are_pence_and_cents():
    assert to_minor_units(Decimal("119.99"), "GBP") == 11999
    assert to_minor_units(Decimal("119"), "EUR") == 11900
    with pytest.raises(ValueError):
        to_minor_units(Decimal("119.999"), "GBP")
    assert format_money(11999, "GBP") == "£119.99" and format_money(11900, "EUR") == "€119"


@pytest.mark.parametrize(
    ("typed", "error"),
    [("0", "must be from £0.01"), ("119.999", "two decimal places"), ("abc", "Enter the price as a number")],
)
def test_a_zero_or_malformed_price_in_pounds_is_refused(catalog, typed, error):
    form = ProductPriceForm(
        data={"currency": "GBP", "amount": typed}, instance=ProductPrice(product=catalog["level-i"])
    )

    assert not form.is_valid()
    assert error in str(form.errors)


def test_a_price_row_cannot_repeat_the_products_own_currency(catalog):
    form = ProductPriceForm(
        data={"currency": "USD", "amount": "10"}, instance=ProductPrice(product=catalog["level-i"])
    )

    assert not form.is_valid()


def _change_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def _with_price_rows(product: Product, rows: list[tuple[ProductPrice | None, dict]]) -> dict:
    data = product_admin_form(product)
    existing = [row for row, _ in rows if row is not None]
    data.update({"prices-TOTAL_FORMS": str(len(rows)), "prices-INITIAL_FORMS": str(len(existing))})
    for i, (row, fields) in enumerate(rows):
        if row is not None:
            data[f"prices-{i}-id"] = str(row.pk)
            data[f"prices-{i}-product"] = str(product.pk)
        data.update({f"prices-{i}-{name}": value for name, value in fields.items()})
    return data


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_staff("prices-editor", "Catalogue editors"))
    return client


def test_staff_set_change_and_remove_a_pound_price_with_its_history(editor_client, db):
    kit = make_product(price_cents=6700)

    added = editor_client.post(
        _change_url(kit), _with_price_rows(kit, [(None, {"currency": "GBP", "amount": "55.00"})])
    )
    assert added.status_code == 302
    row = ProductPrice.objects.get(product=kit, currency="GBP")
    assert (row.amount_cents, row.is_placeholder) == (5500, False)

    editor_client.post(
        _change_url(kit), _with_price_rows(kit, [(row, {"currency": "GBP", "amount": "59.00"})])
    )
    row.refresh_from_db()
    assert row.amount_cents == 5900

    editor_client.post(
        _change_url(kit),
        _with_price_rows(kit, [(row, {"currency": "GBP", "amount": "59.00", "DELETE": "on"})]),
    )
    assert not ProductPrice.objects.filter(product=kit).exists()
    history = list(PriceChange.objects.filter(product=kit, new_currency="GBP").order_by("pk"))
    assert [(c.old_price_cents, c.new_price_cents) for c in history] == [
        (None, 5500),
        (5500, 5900),
        (5900, None),
    ]
    assert b"no longer sold in GBP" in editor_client.get(_change_url(kit)).content


def test_a_big_change_of_a_euro_price_must_be_confirmed(editor_client, db):
    kit = make_product(price_cents=6700)
    row = ProductPrice.objects.create(product=kit, currency="EUR", amount_cents=6300, is_placeholder=True)

    refused = editor_client.post(
        _change_url(kit), _with_price_rows(kit, [(row, {"currency": "EUR", "amount": "6.30"})])
    )
    row.refresh_from_db()
    assert refused.status_code == 200 and row.amount_cents == 6300
    assert "This changes the price from €63 to €6.30" in refused.content.decode()

    confirmed = editor_client.post(
        _change_url(kit),
        _with_price_rows(kit, [(row, {"currency": "EUR", "amount": "6.30", "confirm_price_change": "on"})]),
    )
    row.refresh_from_db()
    assert confirmed.status_code == 302
    assert (row.amount_cents, row.is_placeholder) == (630, False)  # typed by staff: no longer a placeholder


def test_seeded_pound_and_euro_placeholders_are_on_the_needs_attention_list(catalog):
    messages = check_catalogue_ready(databases=["default"])
    rows = [m for m in messages if m.id == "catalog.W005"]

    assert len(rows) == ProductPrice.objects.filter(is_placeholder=True).count() == 10
    assert all(isinstance(m, checks.Warning) and "placeholder" in m.msg for m in rows)
    ProductPrice.objects.filter(product=catalog["level-i"]).update(is_placeholder=False)
    assert len([m for m in check_catalogue_ready(databases=["default"]) if m.id == "catalog.W005"]) == 8


def _page(path: str, *, currency: str) -> str:
    from django.test import Client

    return Client().get(path, {"currency": currency}).content.decode()


def _product_data(html: str) -> dict:
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    graph = json.loads(payload)["@graph"]
    return next(item for item in graph if item["@type"] == "Product")
