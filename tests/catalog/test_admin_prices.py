"""Staff enter prices as money in the product's currency; big changes are confirmed and kept in history."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from catalog.models import PriceChange, Product
from catalog.money import SHOP_CURRENCIES, STRIPE_CURRENCIES, to_decimal, to_minor_units
from catalog.rules import price_change_needs_confirmation
from tests.factories import make_product, make_staff

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:catalog_product_add")


def product_form(product: Product | None = None, **fields) -> dict:
    data = {
        "name": "Priced kit",
        "slug": "priced-kit",
        "kind": "kit",
        "tagline": "t",
        "description": "d",
        "audience": "a",
        "price": "147.00",
        "currency": "USD",
        "is_active": "on",
        "position": "1",
        "bundle_items-TOTAL_FORMS": "0",
        "bundle_items-INITIAL_FORMS": "0",
        "modules-TOTAL_FORMS": "0",
        "modules-INITIAL_FORMS": "0",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    if product is not None:
        data.update(
            name=product.name,
            slug=product.slug,
            kind=product.kind,
            tagline=product.tagline,
            description=product.description,
            audience=product.audience,
            price=str(to_decimal(product.price_cents, product.currency)),
            currency=product.currency,
            position=str(product.position),
            tax_code=product.tax_code,
        )
    data.update(fields)
    return data


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def change_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


@pytest.mark.parametrize("typed", ["147", "147.00", "147.0"])
def test_price_typed_as_money_is_stored_in_cents(editor_client, typed):
    response = editor_client.post(ADD_URL, product_form(price=typed))

    assert response.status_code == 302
    assert Product.objects.get(slug="priced-kit").price_cents == 14700


def test_zero_decimal_currency_takes_whole_amounts(editor_client):
    # A product already priced in yen keeps yen as its choice (admin offers only the shop's currencies).
    yen = make_product(price_cents=14700, currency="JPY")
    response = editor_client.post(change_url(yen), product_form(yen, price="14800", currency="JPY"))

    assert response.status_code == 302
    assert Product.objects.get(pk=yen.pk).price_cents == 14800

    refused = editor_client.post(change_url(yen), product_form(yen, price="148.50", currency="JPY"))
    assert "JPY has no smaller unit: enter a whole amount." in refused.content.decode()


@pytest.mark.parametrize(
    ("price", "currency", "error"),
    [
        ("1.475", "USD", "USD has two decimal places at most."),
        ("147,00", "USD", "digits and one dot, no commas"),
        ("0", "USD", "The price must be from $0.01 to $999,999.99."),
        ("1000000", "USD", "The price must be from $0.01 to $999,999.99."),
        ("0.004", "USD", "two decimal places at most"),
    ],
)
def test_amounts_the_currency_cannot_hold_are_form_errors(editor_client, price, currency, error):
    response = editor_client.post(ADD_URL, product_form(price=price, currency=currency))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Product.objects.filter(slug="priced-kit").exists()


def test_change_page_shows_the_price_as_money(editor_client):
    dollars = make_product(price_cents=14700)
    yen = make_product(price_cents=14700, currency="JPY")

    assert 'value="147.00"' in editor_client.get(change_url(dollars)).content.decode()
    assert 'value="14700"' in editor_client.get(change_url(yen)).content.decode()


def test_currency_is_chosen_from_the_shops_currencies(editor_client):
    page = editor_client.get(ADD_URL).content.decode()
    refused = editor_client.post(ADD_URL, product_form(currency="JPY"))

    assert '<select name="currency"' in page
    offered = page.split('<select name="currency"')[1].split("</select>")[0]
    assert [code for code in SHOP_CURRENCIES if f'<option value="{code}"' in offered] == ["USD", "GBP", "EUR"]
    assert offered.count("<option") == 3
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Product.objects.filter(slug="priced-kit").exists()
    assert set(SHOP_CURRENCIES) <= set(STRIPE_CURRENCIES)


def test_cents_typed_as_dollars_needs_confirmation_and_changes_nothing(editor_client):
    product = make_product(price_cents=14700)

    response = editor_client.post(change_url(product), product_form(product, price="1.47"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "This changes the price from $147 to $1.47" in content
    assert 'type="checkbox" name="confirm_price_change"' in content
    assert Product.objects.get(pk=product.pk).price_cents == 14700
    assert not PriceChange.objects.exists()


def test_confirmed_big_change_is_saved_and_kept_in_the_history(editor_client):
    product = make_product(price_cents=14700)

    response = editor_client.post(
        change_url(product), product_form(product, price="1.47", confirm_price_change="on")
    )

    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).price_cents == 147
    change = PriceChange.objects.get(product=product)
    assert (change.old_price_cents, change.old_currency) == (14700, "USD")
    assert (change.new_price_cents, change.new_currency) == (147, "USD")
    assert change.changed_by.username == "editor"


def test_confirmation_box_is_hidden_until_needed(editor_client):
    product = make_product(price_cents=14700)

    page = editor_client.get(change_url(product)).content.decode()

    assert 'type="hidden" name="confirm_price_change"' in page
    assert 'type="checkbox" name="confirm_price_change"' not in page


def test_small_change_saves_without_confirmation(editor_client):
    product = make_product(price_cents=14700)

    response = editor_client.post(change_url(product), product_form(product, price="160"))

    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).price_cents == 16000


def test_currency_change_needs_confirmation(editor_client):
    product = make_product(price_cents=14700)

    response = editor_client.post(change_url(product), product_form(product, price="147", currency="EUR"))

    assert response.status_code == 200
    assert "This changes the price from $147 to €147" in response.content.decode()
    assert Product.objects.get(pk=product.pk).currency == "USD"


def test_change_page_lists_old_and_new_prices(editor_client):
    product = make_product(price_cents=14700)
    editor_client.post(change_url(product), product_form(product, price="160"))
    editor_client.post(change_url(product), product_form(product, price="170"))

    page = editor_client.get(change_url(product)).content.decode()

    assert "Price history" in page
    assert page.index("<td>$160</td><td>$170</td>") < page.index("<td>$147</td><td>$160</td>")


def test_admin_history_names_the_old_and_new_price(editor_client):
    product = make_product(price_cents=14700)
    editor_client.post(change_url(product), product_form(product, price="160", tagline="New line"))

    entry = LogEntry.objects.get(object_id=str(product.pk))
    history = editor_client.get(reverse("admin:catalog_product_history", args=[product.pk])).content.decode()

    assert entry.get_change_message() == "Changed price from $147 to $160 and Tagline."
    assert "Changed price from $147 to $160" in history


def test_new_product_history_starts_with_its_first_price(editor_client):
    editor_client.post(ADD_URL, product_form(price="99"))

    change = PriceChange.objects.get()
    assert (change.old_price_cents, change.new_price_cents) == (None, 9900)


def test_saving_without_a_price_change_writes_no_history(editor_client):
    product = make_product(price_cents=14700)

    editor_client.post(change_url(product), product_form(product, price="147", tagline="Other"))

    assert not PriceChange.objects.exists()


@pytest.mark.parametrize(
    ("old", "new", "asks"),
    [
        (10000, 15000, False),
        (10000, 15001, True),
        (10000, 5000, False),
        (10000, 4999, True),
        (14700, 147, True),
    ],
)
def test_more_than_half_up_or_down_needs_confirmation(old, new, asks):
    assert (
        price_change_needs_confirmation(old_cents=old, old_currency="USD", new_cents=new, new_currency="USD")
        is asks
    )


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("147", "USD", 14700), ("147.00", "USD", 14700), ("1.47", "USD", 147), ("14700", "JPY", 14700)],
)
def test_to_minor_units(typed, currency, minor):
    assert to_minor_units(Decimal(typed), currency) == minor
