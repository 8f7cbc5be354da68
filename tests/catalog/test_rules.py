import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import BundleItem, Product
from catalog.rules import component_errors, validate_bundle_components
from tests.factories import make_bundle, make_product

pytestmark = pytest.mark.django_db


def test_bundle_needs_two_components():
    bundle = make_product(kind=Product.Kind.BUNDLE)

    with pytest.raises(ValidationError, match="at least 2 components"):
        validate_bundle_components(bundle, [make_product()])


def test_two_components_make_a_valid_bundle():
    bundle = make_product(kind=Product.Kind.BUNDLE)
    parts = [make_product(), make_product()]

    assert validate_bundle_components(bundle, parts) is None  # raises when the bundle is not valid
    assert [component_errors(bundle, part) for part in parts] == ["", ""]


def test_the_same_product_cannot_appear_twice_in_a_bundle():
    bundle = make_product(kind=Product.Kind.BUNDLE)
    part = make_product()

    with pytest.raises(ValidationError, match="only once"):
        validate_bundle_components(bundle, [part, part, make_product()])


def test_bundle_cannot_contain_itself():
    bundle = make_bundle([make_product(), make_product()])
    item = BundleItem(bundle=bundle, component=bundle)

    with pytest.raises(ValidationError, match="cannot contain itself"):
        item.full_clean()


def test_bundle_cannot_contain_another_bundle():
    inner = make_bundle([make_product(), make_product()])
    outer = make_product(kind=Product.Kind.BUNDLE)

    with pytest.raises(ValidationError, match="another bundle"):
        BundleItem(bundle=outer, component=inner).full_clean()


def test_components_share_the_bundle_currency():
    bundle = make_product(kind=Product.Kind.BUNDLE, currency="USD")
    euro_kit = make_product(currency="EUR")

    with pytest.raises(ValidationError, match="priced in EUR"):
        BundleItem(bundle=bundle, component=euro_kit).full_clean()


def test_only_bundles_take_components():
    kit = make_product()

    with pytest.raises(ValidationError, match="Only a bundle"):
        BundleItem(bundle=kit, component=make_product()).full_clean()


def test_component_cannot_change_to_another_currency():
    kit = make_product()
    make_bundle([kit, make_product()])
    kit.currency = "EUR"

    with pytest.raises(ValidationError) as error:
        kit.full_clean()
    assert "currency" in error.value.message_dict


def test_component_cannot_become_a_bundle():
    kit = make_product()
    make_bundle([kit, make_product()])
    kit.kind = Product.Kind.BUNDLE

    with pytest.raises(ValidationError) as error:
        kit.full_clean()
    assert "kind" in error.value.message_dict


@pytest.mark.parametrize("price", [0, -100])
def test_price_must_be_positive(price):
    product = Product(
        name="Free", slug="free", kind="kit", tagline="t", description="d", audience="a", price_cents=price
    )

    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "price_cents" in error.value.message_dict


def test_database_refuses_a_zero_price():
    product = make_product()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price_cents=0)


def test_currency_must_be_an_iso_code():
    product = make_product()
    product.currency = "dollars"

    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "currency" in error.value.message_dict
