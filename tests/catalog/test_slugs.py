"""Product slugs: never one a fixed URL shadows, and a rename never strands FAQ placeholders or links."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from catalog.models import FormerSlug, Product
from catalog.rules import RESERVED_SLUGS
from catalog.selectors import products_by_slug
from faq.models import Question
from faq.selectors import published_answers
from tests.factories import make_product, make_staff
from tests.factories import product_admin_form as product_form

pytestmark = pytest.mark.django_db

PRODUCT_ROUTES = {"catalog:product", "checkout:review"}


def _routes(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}"


def test_reserved_slugs_cover_every_fixed_url_beside_a_product_route():
    routes = list(_routes(get_resolver().url_patterns))
    product_prefixes = {route.split("<slug:slug>")[0] for route, name in routes if name in PRODUCT_ROUTES}
    shadowing = {
        route.removeprefix(prefix).strip("/").split("/")[0]
        for route, _ in routes
        for prefix in product_prefixes
        if route.startswith(prefix) and "<" not in route.removeprefix(prefix)
    } - {""}

    assert shadowing == {"start", "success"}
    assert shadowing <= RESERVED_SLUGS


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_reserved_slug_is_refused_with_a_reason(editor_client, slug):
    product = make_product(price_cents=1000)

    response = editor_client.post(
        reverse("admin:catalog_product_change", args=[product.pk]), product_form(product, slug=slug)
    )

    assert response.status_code == 200
    assert f"“{slug}” is taken by a page of the site (/checkout/{slug}/)" in response.content.decode()
    assert Product.objects.get(pk=product.pk).slug != slug


def test_reserved_slug_is_refused_for_a_new_product_too(editor_client):
    data = product_form(make_product(), slug="success")
    data["name"] = "Another"

    response = editor_client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 200
    assert "is taken by a page of the site" in response.content.decode()


@pytest.fixture
def renamed(editor_client, catalog, faq_questions):
    """Level I renamed from level-i to level-one in the admin; the seeded FAQ still says {price:level-i}."""
    level_i = catalog["level-i"]
    response = editor_client.post(
        reverse("admin:catalog_product_change", args=[level_i.pk]), product_form(level_i, slug="level-one")
    )
    assert response.status_code == 302
    return Product.objects.get(pk=level_i.pk)


def test_faq_placeholders_with_the_old_slug_keep_filling(client, renamed):
    assert Question.objects.filter(answer__contains="{price:level-i}").exists()

    page = client.get(reverse("faq:list")).content.decode()
    answers = published_answers(products_by_slug())

    assert "{price:level-i}" not in page
    assert all("{price:" not in answer.text for answer in answers)
    assert "$147" in page


def test_old_product_link_redirects_to_the_new_one(client, renamed):
    response = client.get("/products/level-i/")

    assert response.status_code == 301
    assert response["Location"] == "/products/level-one/"


def test_former_slug_cannot_be_taken_by_another_product(editor_client, renamed):
    other = make_product()

    response = editor_client.post(
        reverse("admin:catalog_product_change", args=[other.pk]), product_form(other, slug="level-i")
    )

    assert response.status_code == 200
    assert "“level-i” used to be the slug of CPMA Level I Certification" in response.content.decode()


def test_renaming_back_restores_the_slug(editor_client, renamed):
    response = editor_client.post(
        reverse("admin:catalog_product_change", args=[renamed.pk]), product_form(renamed, slug="level-i")
    )

    assert response.status_code == 302
    assert Product.objects.get(pk=renamed.pk).slug == "level-i"
    assert list(FormerSlug.objects.values_list("slug", flat=True)) == ["level-one"]


def test_product_page_lists_its_former_slugs(editor_client, renamed):
    page = editor_client.get(reverse("admin:catalog_product_change", args=[renamed.pk])).content.decode()

    assert "level-i (FAQ placeholders and links with these still lead to this product)" in page


def test_faq_admin_stores_the_current_slug_for_a_renamed_product(editor_client, renamed):
    response = editor_client.post(
        reverse("admin:faq_question_add"),
        {
            "question": "How much?",
            "slug": "how-much",
            "answer": "Level I costs {price:level-i}.",
            "topic": "buying",
            "position": "1",
            "is_published": "on",
        },
    )

    assert response.status_code == 302
    assert Question.objects.get(slug="how-much").answer == "Level I costs {price:level-one}."
