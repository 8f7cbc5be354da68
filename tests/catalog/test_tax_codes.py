"""Every product carries a Stripe tax code: the usual one for its kind unless staff choose another, and an
active product without a valid one can neither be saved in admin nor bought, and is named in Needs
attention."""

import pytest
from django.core.exceptions import ValidationError

from catalog import tax_codes
from catalog.checks import check_catalogue_ready
from catalog.models import Product
from tests.factories import make_bundle, make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind, code", [("course", "txcd_20060158"), ("kit", "txcd_10503000"), ("bundle", "txcd_20060158")]
)
def test_a_new_product_gets_the_usual_code_for_its_kind(kind, code):
    product = make_product(kind=kind)

    assert Product.objects.get(pk=product.pk).tax_code == code


def test_a_chosen_code_is_kept():
    assert make_product(kind="kit", tax_code="txcd_10000000").tax_code == "txcd_10000000"


def test_an_active_product_with_an_unknown_code_does_not_validate():
    product = make_product(kind="kit")
    product.tax_code = "txcd_99"

    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "tax_code" in refused.value.message_dict


def test_an_inactive_product_may_wait_for_its_code_but_not_a_bad_one_to_go_on_sale():
    product = make_product(kind="kit", is_active=False)
    Product.objects.filter(pk=product.pk).update(tax_code="nonsense")
    product.refresh_from_db()

    product.full_clean(exclude=["tax_code"])  # inactive: no tax-code error
    product.is_active = True
    assert not product.can_be_bought


def test_needs_attention_names_an_active_product_without_a_valid_code():
    good = make_product(kind="course")
    bad = make_product(kind="kit")
    Product.objects.filter(pk=bad.pk).update(tax_code="")

    found = [m for m in check_catalogue_ready(databases=["default"]) if m.id == "catalog.W004"]

    assert [m.obj for m in found] == [bad]
    assert good.can_be_bought and not Product.objects.get(pk=bad.pk).can_be_bought


def test_a_bundle_with_good_parts_is_bought_only_with_its_own_code():
    bundle = make_bundle([make_product(kind="course"), make_product(kind="kit")])
    assert bundle.can_be_bought
    Product.objects.filter(pk=bundle.pk).update(tax_code="")

    assert not Product.objects.get(pk=bundle.pk).can_be_bought


def test_every_known_code_has_stripes_format():
    assert all(tax_codes.FORMAT.fullmatch(code) for code in tax_codes.KNOWN)
    assert tax_codes.problem("txcd_12345678")  # the right shape, but not one the shop uses
