import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.pricing import BundlePricing, bundle_saves
from tests.factories import make_bundle, make_product


def test_seeded_bundle_is_worth_498_and_saves_201(catalog):
    bundle = Product.objects.with_pricing().get(slug="bundle")

    assert bundle.pricing.separate_value_cents == 49800
    assert bundle.pricing.savings_cents == 20100
    assert bundle.pricing.savings_percent == 40


def test_bundle_figures_follow_a_component_price_edit(catalog):
    level_ii = catalog["level-ii"]
    level_ii.price_cents += 5000
    level_ii.save()

    bundle = Product.objects.with_pricing().get(slug="bundle")
    parts = sum(item.component.price_cents for item in bundle.bundle_items.select_related("component"))

    assert bundle.pricing.separate_value_cents == parts
    assert bundle.pricing.savings_cents == parts - bundle.price_cents


def test_bundle_figures_follow_a_bundle_price_edit(catalog):
    bundle = catalog["bundle"]
    before = Product.objects.with_pricing().get(pk=bundle.pk).pricing
    bundle.price_cents -= 1000
    bundle.save()

    after = Product.objects.with_pricing().get(pk=bundle.pk).pricing

    assert after.separate_value_cents == before.separate_value_cents
    assert after.savings_cents == before.savings_cents + 1000


@pytest.mark.django_db
def test_unannotated_bundle_computes_the_same_figures():
    bundle = make_bundle([make_product(price_cents=3000), make_product(price_cents=4500)], price_cents=6000)

    plain = Product.objects.get(pk=bundle.pk).pricing
    annotated = Product.objects.with_pricing().get(pk=bundle.pk).pricing

    assert plain == annotated == BundlePricing(price_cents=6000, separate_value_cents=7500, currency="USD")


@pytest.mark.django_db
def test_bundle_priced_at_its_parts_claims_no_savings():
    bundle = make_bundle([make_product(price_cents=3000), make_product(price_cents=4500)], price_cents=7500)

    pricing = Product.objects.with_pricing().get(pk=bundle.pk).pricing

    assert pricing.savings_cents == 0
    assert not pricing.has_savings
    assert pricing.savings_percent == 0


@pytest.mark.django_db
def test_non_bundles_have_no_bundle_pricing():
    assert make_product().pricing is None


@pytest.mark.django_db
def test_pricing_annotation_is_one_query_for_many_bundles():
    kits = [make_product(price_cents=1000 * i) for i in range(1, 4)]
    for _ in range(10):
        make_bundle(kits, price_cents=500)

    with CaptureQueriesContext(connection) as queries:
        values = [
            p.pricing.separate_value_cents for p in Product.objects.with_pricing().filter(kind="bundle")
        ]

    assert values == [6000] * 10
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("price", "value", "percent"),
    [(200, 300, 33), (100, 300, 67), (29700, 49800, 40), (9950, 10000, 0)],
    ids=["rounds down", "rounds up", "seeded bundle", "half a percent rounds to even"],
)
def test_savings_percent_rounds_to_the_nearest_whole_percent(price, value, percent):
    pricing = BundlePricing(price_cents=price, separate_value_cents=value, currency="USD")

    assert pricing.savings_percent == percent


def test_a_bundle_dearer_than_its_parts_claims_no_savings_at_all():
    pricing = BundlePricing(price_cents=9000, separate_value_cents=7500, currency="USD")

    assert pricing.savings_cents == -1500
    assert (pricing.has_savings, pricing.claimed_savings_cents, pricing.savings_percent) == (False, 0, 0)


@pytest.mark.django_db
def test_bundle_saves_is_the_one_savings_rule_for_pages():
    parts = [make_product(price_cents=3000), make_product(price_cents=4500)]
    cheaper = make_bundle(parts, price_cents=7499)
    level = make_bundle(parts, price_cents=7500)

    assert bundle_saves(Product.objects.with_pricing().get(pk=cheaper.pk))
    assert not bundle_saves(Product.objects.with_pricing().get(pk=level.pk))
    assert not bundle_saves(parts[0])
    assert not bundle_saves(None)


def test_claimed_savings_are_never_negative():
    above = BundlePricing(price_cents=9000, separate_value_cents=7500, currency="USD")
    below = BundlePricing(price_cents=6000, separate_value_cents=7500, currency="USD")

    assert above.savings_cents == -1500
    assert above.claimed_savings_cents == 0
    assert below.claimed_savings_cents == 1500
