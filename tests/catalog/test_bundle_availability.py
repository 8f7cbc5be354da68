"""A bundle with a component off sale: no savings claim, no purchase, and the admin says why."""

import pytest
from django.urls import reverse

from catalog.models import Product
from checkout.models import Order
from faq.render import fill_prices
from tests.factories import make_bundle, make_product, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_bundle() -> Product:
    kept = make_product(price_cents=3000)
    dropped = make_product(name="Retired kit", price_cents=4000)
    bundle = make_bundle([kept, dropped], name="Broken pack", slug="broken-pack", price_cents=5000)
    Product.objects.filter(pk=dropped.pk).update(is_active=False)
    return bundle


def test_inactive_component_adds_nothing_to_the_separate_value_and_voids_the_claim(broken_bundle):
    pricing = Product.objects.with_pricing().get(pk=broken_bundle.pk).pricing

    assert pricing.separate_value_cents == 3000
    assert pricing.inactive_component_count == 1
    assert not pricing.is_complete
    assert not pricing.has_savings
    assert pricing.claimed_savings_cents == 0
    assert pricing.savings_percent == 0


def test_active_parts_alone_worth_more_than_the_price_still_make_no_claim():
    parts = [make_product(price_cents=4000), make_product(price_cents=4000), make_product(price_cents=100)]
    bundle = make_bundle(parts, price_cents=5000)
    Product.objects.filter(pk=parts[2].pk).update(is_active=False)

    pricing = Product.objects.with_pricing().get(pk=bundle.pk).pricing

    assert pricing.savings_cents == 3000  # what the active parts would suggest
    assert not pricing.has_savings
    assert pricing.claimed_savings_cents == 0


def test_unannotated_bundle_counts_inactive_components_the_same_way(broken_bundle):
    plain = Product.objects.get(pk=broken_bundle.pk).pricing
    annotated = Product.objects.with_pricing().get(pk=broken_bundle.pk).pricing

    assert plain == annotated


def test_bundle_with_an_inactive_component_cannot_be_bought(broken_bundle):
    assert not Product.objects.get(pk=broken_bundle.pk).can_be_bought
    Product.objects.filter(bundles=broken_bundle).update(is_active=True)
    assert Product.objects.get(pk=broken_bundle.pk).can_be_bought


def test_home_page_shows_no_savings_for_the_broken_bundle(client, broken_bundle):
    content = client.get(reverse("catalog:home")).content.decode()

    assert "Broken pack" in content
    assert "You save" not in content
    assert "Separate value" not in content


def test_product_page_marks_the_broken_bundle_out_of_stock(client, broken_bundle):
    response = client.get(broken_bundle.get_absolute_url())

    assert "schema.org/OutOfStock" in response.content.decode()
    assert "You save" not in response.content.decode()


def test_review_page_says_the_bundle_cannot_be_bought_and_offers_no_form(client, broken_bundle):
    response = client.get(reverse("checkout:review", args=["broken-pack"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Broken pack cannot be bought at the moment" in content
    assert 'action="/checkout/start/"' not in content


def test_starting_checkout_for_the_broken_bundle_is_refused_before_any_order(client, settings, broken_bundle):
    settings.STRIPE_SECRET_KEY = "sk_test_never_called"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a call to Stripe would fail loudly

    response = client.post(
        reverse("checkout:start"),
        {"digital_consent": "on", "product": "broken-pack", "quantity": 1},
        follow=True,
    )

    assert response.redirect_chain[0][1] == 303  # back to the review page, which explains
    assert "cannot be bought at the moment" in response.content.decode()
    assert not Order.objects.exists()


def test_buy_include_replaces_the_button_for_the_broken_bundle(client, catalog):
    Product.objects.filter(slug="ai-kit").update(is_active=False)

    # The "for heads of production" page recommends the Bundle through the shared Buy include.
    response = client.get(reverse("catalog:role", args=["heads-of-production"]))

    content = response.content.decode()
    assert 'href="/checkout/bundle/' not in content
    assert "CPMA Bundle cannot be bought at the moment" in content


def test_faq_states_no_saving_for_the_broken_bundle(broken_bundle):
    products = {p.slug: p for p in Product.objects.with_pricing()}

    assert fill_prices("{savings:broken-pack} ({savings_percent:broken-pack})", products) == "$0 (0%)"


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def test_product_list_says_which_products_cannot_be_bought(editor_client, broken_bundle):
    content = editor_client.get(reverse("admin:catalog_product_changelist")).content.decode()

    assert "no: 1 inactive component" in content
    assert "none (a component is inactive)" in content
    assert "no: inactive" in content


def test_deactivating_a_component_warns_about_its_bundle(editor_client, catalog):
    level_ii = catalog["level-ii"]
    url = reverse("admin:catalog_product_changelist")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(level_ii.pk),
        "form-0-position": str(level_ii.position),
        "_save": "Save",
    }  # is_active left out: unticked in the list

    response = editor_client.post(url, data, follow=True)

    content = response.content.decode()
    assert not Product.objects.get(pk=level_ii.pk).is_active
    assert (
        "CPMA Bundle cannot be bought and shows no savings while CPMA Level II Certification is inactive"
        in content
    )


def test_bundle_component_chooser_has_no_delete_product_link(editor_client, catalog):
    response = editor_client.get(reverse("admin:catalog_product_change", args=[catalog["bundle"].pk]))

    content = response.content.decode()
    assert "delete_id_bundle_items" not in content
    assert 'data-href-template="/admin/catalog/product/__fk__/delete/' not in content
    assert "change_id_bundle_items-0-component" in content  # the edit link stays
