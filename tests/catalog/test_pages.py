import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money
from tests.factories import make_bundle, make_product


def test_home_lists_active_products_with_bundle_savings(client, catalog):
    make_product(name="Hidden kit", is_active=False)

    response = client.get("/")

    content = response.content.decode()
    assert response.status_code == 200
    bundle = Product.objects.with_pricing().get(slug="bundle")
    for product in catalog.values():
        assert product.name in content
        assert format_money(product.price_cents) in content
    assert format_money(bundle.pricing.separate_value_cents) in content
    assert format_money(bundle.pricing.savings_cents) in content
    assert "Hidden kit" not in content


def test_home_lists_products_in_position_order(client, catalog):
    content = client.get("/").content.decode()

    names = [p.name for p in Product.objects.active().order_by("position")]
    assert [content.index(name) for name in names] == sorted(content.index(name) for name in names)


def test_home_follows_a_price_edit(client, catalog):
    Product.objects.filter(slug="level-i").update(price_cents=123450)

    assert "$1,234.50" in client.get("/").content.decode()


def test_bundle_without_savings_shows_no_claim(client, db):
    make_bundle([make_product(price_cents=1000), make_product(price_cents=1000)], price_cents=2000)

    content = client.get("/").content.decode()

    assert "You save" not in content
    assert "Separate value" not in content


def test_product_page_shows_curriculum(client, catalog):
    response = client.get(reverse("catalog:product", args=["level-ii"]))

    assert response.status_code == 200
    for module in catalog["level-ii"].modules.all():
        assert module.title in response.content.decode()


def test_bundle_page_lists_its_components(client, catalog):
    content = client.get(reverse("catalog:product", args=["bundle"])).content.decode()

    for slug in ("level-i", "level-ii", "resume-kit", "ai-kit"):
        assert catalog[slug].name in content


@pytest.mark.parametrize("slug", ["no-such-product", "hidden"])
def test_unknown_or_inactive_product_is_a_styled_404(client, db, slug):
    make_product(slug="hidden", is_active=False)

    response = client.get(reverse("catalog:product", args=[slug]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/products/bundle/", "/products/level-i/"])
def test_query_count_does_not_grow_with_the_catalogue(client, catalog, url):
    before = _query_count(client, url)
    kits = [make_product() for _ in range(40)]
    for i in range(10):
        make_bundle(kits[i * 4 : i * 4 + 4])

    after = _query_count(client, url)

    assert before == after
    assert after <= 5
