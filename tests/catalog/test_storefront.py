"""The pages sell: every product has a Buy action, every public page ends in a next step, components point
to the Bundle, and nothing links to a product that is off sale."""

import re

import pytest
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money
from catalog.roles import ROLE_PAGES

pytestmark = pytest.mark.django_db


def _review(slug: str) -> str:
    return reverse("checkout:review", args=[slug])


def test_home_page_sells_the_bundle_first_with_its_derived_saving(client, catalog):
    Product.objects.filter(slug="ai-kit").update(price_cents=catalog["ai-kit"].price_cents + 1000)
    bundle = Product.objects.with_pricing().get(slug="bundle")

    content = client.get("/").content.decode()

    offer = content[
        content.index('class="card card-featured hero-offer"') : content.index('id="products-heading"')
    ]
    assert f'href="{_review("bundle")}"' in offer
    assert f"You save {format_money(bundle.pricing.savings_cents)}" in offer
    assert format_money(bundle.pricing.savings_cents) == format_money(20100 + 1000)


def test_home_page_offers_buy_and_whats_included_on_every_product(client, catalog):
    content = client.get("/").content.decode()

    for product in catalog.values():
        assert f'href="{_review(product.slug)}"' in content
        assert f'href="{product.get_absolute_url()}"' in content
    # Four single products in one row of four: the Bundle has the first screen to itself.
    grid = content[
        content.index('<ul class="product-grid">') : content.index(
            "</ul>", content.index('<ul class="product-grid">')
        )
    ]
    assert grid.count('<li class="card">') == 4


@pytest.mark.parametrize("slug", ["level-i", "level-ii"])
def test_certification_pages_offer_the_bundle_with_its_saving(client, catalog, slug):
    bundle = Product.objects.with_pricing().get(slug="bundle")

    content = client.get(reverse("catalog:product", args=[slug])).content.decode()

    assert f'Also in the <a href="{bundle.get_absolute_url()}">{bundle.name}</a>' in content
    assert f"{format_money(bundle.pricing.savings_cents)} less than its parts" in content
    assert f'href="{_review("bundle")}"' in content


def test_a_bundle_that_saves_nothing_is_offered_without_a_saving(client, catalog):
    parts = sum(catalog[slug].price_cents for slug in ("level-i", "level-ii", "resume-kit", "ai-kit"))
    Product.objects.filter(slug="bundle").update(price_cents=parts)

    content = client.get(reverse("catalog:product", args=["level-i"])).content.decode()

    assert "Also in the" in content
    assert "less than its parts" not in content
    assert "You save" not in content


def test_component_taken_off_sale_stays_listed_in_the_bundle_without_a_link(client, catalog):
    Product.objects.filter(slug="resume-kit").update(is_active=False)

    content = client.get(reverse("catalog:product", args=["bundle"])).content.decode()

    included = content[
        content.index("What is included") : content.index("</ul>", content.index("What is included"))
    ]
    assert catalog["resume-kit"].name in included
    assert catalog["resume-kit"].get_absolute_url() not in content
    assert catalog["level-i"].get_absolute_url() in included


# Every public page but the recommender, whose answer is its next step.
PAGES_WITH_A_CLOSING_STEP = [
    "/",
    "/film-tv-production/",
    "/film-tv-production/compare/",
    "/film-tv-production/curriculum/",
    "/faq/",
    *[f"/products/{slug}/" for slug in ("level-i", "level-ii", "resume-kit", "ai-kit", "bundle")],
    *[page.get_absolute_url() for page in ROLE_PAGES],
]


@pytest.mark.parametrize("path", PAGES_WITH_A_CLOSING_STEP)
def test_every_public_page_ends_in_one_next_step(client, catalog, faq_questions, path):
    content = client.get(path).content.decode()
    main = content[content.index("<main") : content.index("</main>")]

    last_section = main[main.rindex("<section") :]
    assert 'class="next-step"' in last_section
    assert len(re.findall(r'class="button[" ]', last_section)) == 1


def test_curriculum_page_offers_both_certifications_and_the_bundle(client, catalog):
    content = client.get(reverse("catalog:curriculum")).content.decode()

    for slug in ("level-i", "level-ii", "bundle"):
        assert f'href="{_review(slug)}"' in content


def test_production_overview_has_a_buy_action_before_the_first_section(client, catalog):
    content = client.get(reverse("catalog:production")).content.decode()

    hero = content[content.index('<section class="hero"') : content.index('id="differs-heading"')]
    assert f'href="{_review("bundle")}"' in hero


@pytest.mark.parametrize("path", [*PAGES_WITH_A_CLOSING_STEP, "/checkout/bundle/"])
def test_every_page_with_its_stylesheet_and_script_stays_under_60_kb(client, catalog, faq_questions, path):
    content = client.get(path).content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', content)
    weight = len(content) + sum(
        len(b"".join(client.get(asset.decode()).streaming_content)) for asset in assets
    )

    assert assets  # the stylesheet at least
    assert weight < 60_000
