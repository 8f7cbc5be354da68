import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money, to_decimal
from catalog.roles import ROLE_PAGES
from catalog.seats import MAX_SEATS, SUGGESTED_TEAM_SEATS
from tests.factories import make_bundle, make_product
from tests.public_pages import RECOMMENDER_ANSWER, sitemap_paths

ROOT = Path(settings.BASE_DIR)
LANDING = [
    "/film-tv-production/",
    "/film-tv-production/compare/",
    "/film-tv-production/curriculum/",
    "/film-tv-production/which-one-fits-me/",
    RECOMMENDER_ANSWER,
    *[f"/film-tv-production/for/{page.slug}/" for page in ROLE_PAGES],
    "/faq/",
]


@pytest.fixture
def site(catalog, faq_questions, settings):
    settings.SITE_URL = "https://cpma.example"
    return catalog


def _head(content: str, pattern: str) -> str:
    match = re.search(pattern, content)
    assert match, pattern
    return match.group(1)


def _structured_data(content: str) -> list[dict]:
    payload = _head(content, r'<script type="application/ld\+json">(.*?)</script>')
    return json.loads(payload)["@graph"]


def test_every_public_page_has_its_own_title_description_and_canonical(client, site):
    titles, descriptions = set(), set()
    for path in [*sitemap_paths(), RECOMMENDER_ANSWER]:
        response = client.get(path)
        content = response.content.decode()
        assert response.status_code == 200, path
        titles.add(_head(content, r"<title>(.*?)</title>"))
        descriptions.add(_head(content, r'<meta name="description" content="([^"]+)"'))
        canonical = _head(content, r'<link rel="canonical" href="([^"]+)"')
        assert canonical == "https://cpma.example" + path.split("?")[0]
        assert f'<meta property="og:url" content="{canonical}">' in content
        assert '<meta property="og:title" content="' in content
    pages = len(sitemap_paths())
    assert len(titles) == pages  # the recommender answer shares the recommender's title and canonical
    assert len(descriptions) == pages


@pytest.mark.parametrize("path", LANDING)
def test_public_pages_carry_nothing_per_visitor(client, site, path):
    response = client.get(path)

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_production_overview_is_linked_from_home_and_header(client, site):
    content = client.get("/").content.decode()

    assert content.count('href="/film-tv-production/"') >= 2


@pytest.mark.parametrize(
    "path", ["/film-tv-production/", "/film-tv-production/compare/", "/film-tv-production/curriculum/"]
)
def test_landing_prices_follow_a_price_edit(client, site, path):
    Product.objects.filter(slug="level-i").update(price_cents=123450)

    content = client.get(path).content.decode()

    assert "$1,234.50" in content
    assert format_money(site["level-i"].price_cents) not in content


def test_bundle_savings_on_the_overview_are_derived_from_the_components(client, site):
    Product.objects.filter(slug="ai-kit").update(price_cents=site["ai-kit"].price_cents + 1000)
    bundle = Product.objects.with_pricing().get(slug="bundle")

    content = client.get("/film-tv-production/").content.decode()

    assert format_money(bundle.pricing.separate_value_cents) in content
    assert format_money(bundle.pricing.savings_cents) in content


PRICE_LITERAL = re.compile(r"[$€£]\s?\d")


def test_templates_and_copy_hold_no_price_literals():
    sources = [*ROOT.joinpath("templates").rglob("*.html")]
    sources += [ROOT / "catalog" / name for name in ("roles.py", "comparison.py", "recommend.py")]
    sources += [ROOT / "faq" / "seed.py"]

    offenders = [str(path) for path in sources if PRICE_LITERAL.search(path.read_text())]

    assert offenders == []


# What each role page recommends, written out here rather than asked of the code under test.
ROLE_PAGE_PRODUCTS = {
    "coordinators": "level-i",
    "producers": "bundle",
    "post-production": "level-i",
    "heads-of-production": "bundle",
}


def test_every_role_page_has_an_expected_product():
    assert set(ROLE_PAGE_PRODUCTS) == {page.slug for page in ROLE_PAGES}


@pytest.mark.parametrize("page", ROLE_PAGES, ids=lambda page: page.slug)
def test_role_page_recommends_one_product_with_a_buy_link(client, site, page):
    expected = ROLE_PAGE_PRODUCTS[page.slug]

    content = client.get(page.get_absolute_url()).content.decode()

    assert page.heading in content
    assert f"We recommend: {site[expected].name}" in content
    assert reverse("checkout:review", args=[expected]) in content
    assert format_money(site[expected].price_cents) in content


def test_team_role_page_offers_seats_through_a_get_form(client, site):
    content = client.get("/film-tv-production/for/heads-of-production/").content.decode()

    form = _head(content, r'(<form class="seat-form"[^>]*>)')
    assert 'method="get"' in form
    assert f'action="{reverse("checkout:review", args=["bundle"])}"' in form
    assert 'name="quantity"' in content


def test_team_role_page_has_one_primary_action_for_n_seats(client, site):
    content = client.get("/film-tv-production/for/heads-of-production/").content.decode()

    assert content.count('<form class="seat-form"') == 1
    seats = _head(content, r'(<input id="seat-count"[^>]*>)')
    assert f'value="{SUGGESTED_TEAM_SEATS}"' in seats
    assert f'max="{MAX_SEATS}"' in seats
    # No competing one-seat Buy button: the page's other call to action leads back to the seat field.
    assert f'href="{reverse("checkout:review", args=["bundle"])}"' not in content
    assert 'href="#seat-count"' in content


def test_unknown_role_page_is_a_404(client, site):
    assert client.get("/film-tv-production/for/gaffers/").status_code == 404


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("role=coordinator&seniority=early&buying_for=me", "level-i"),
        ("role=producer&seniority=mid&buying_for=me", "bundle"),
        ("role=post&seniority=mid&buying_for=me", "level-i"),
        ("role=post&seniority=senior&buying_for=me", "level-ii"),
        ("role=head&seniority=senior&buying_for=me", "level-ii"),
        ("role=head&seniority=senior&buying_for=team", "bundle"),
    ],
)
def test_recommender_answers_with_the_right_product(client, site, query, slug):
    response = client.get(f"/film-tv-production/which-one-fits-me/?{query}")

    content = response.content.decode()
    assert response.status_code == 200
    assert f"We recommend: {site[slug].name}" in content
    review = reverse("checkout:review", args=[slug])
    if "buying_for=team" in query:
        assert f'action="{review}"' in _head(content, r'(<form class="seat-form"[^>]*>)')
    else:
        assert f'href="{review}"' in content


def test_recommender_links_team_seats_to_the_review_page(client, site):
    query = "role=head&seniority=senior&buying_for=team&seats=12"

    content = client.get(f"/film-tv-production/which-one-fits-me/?{query}").content.decode()

    assert f'action="{reverse("checkout:review", args=["bundle"])}"' in content
    assert 'value="12"' in _head(content, r'(<input id="seat-count"[^>]*>)')


def test_recommender_refuses_more_seats_than_one_order_holds(client, site):
    query = f"role=head&seniority=senior&buying_for=team&seats={MAX_SEATS + 1}"

    response = client.get(f"/film-tv-production/which-one-fits-me/?{query}")

    assert response.status_code == 400
    assert f"up to {MAX_SEATS} seats" in response.content.decode()


def test_recommender_recommends_level_ii_when_the_bundle_saves_nothing(client, site):
    total = sum(site[slug].price_cents for slug in ("level-i", "level-ii", "resume-kit", "ai-kit"))
    Product.objects.filter(slug="bundle").update(price_cents=total)

    content = client.get("/film-tv-production/" + "which-one-fits-me/?role=producer&seniority=mid").content
    assert f"We recommend: {site['level-ii'].name}" in content.decode()


@pytest.mark.parametrize(
    "query", ["role=gaffer&seniority=mid", "role=post", "role=head&seniority=senior&buying_for=team&seats=0"]
)
def test_recommender_rejects_bad_answers_with_a_400(client, site, query):
    response = client.get(f"/film-tv-production/which-one-fits-me/?{query}")

    assert response.status_code == 400
    assert "Please answer the questions marked below." in response.content.decode()
    assert "We recommend" not in response.content.decode()


def test_recommender_copes_with_a_recommended_product_off_sale(client, site):
    Product.objects.filter(slug="level-i").update(is_active=False)

    response = client.get("/film-tv-production/which-one-fits-me/?role=coordinator&seniority=early")

    assert response.status_code == 200
    assert "not on sale right now" in response.content.decode()


def test_recommender_form_uses_get_with_labelled_fields(client, site):
    content = client.get("/film-tv-production/which-one-fits-me/").content.decode()

    assert 'method="get"' in content
    assert content.count("<legend>") == 3
    assert '<label for="id_seats">' in content


def test_curriculum_map_shows_every_module_beside_its_production_work(client, site):
    content = client.get("/film-tv-production/curriculum/").content.decode()

    for slug in ("level-i", "level-ii"):
        for module in site[slug].modules.all():
            assert module.title in content
            assert module.production_context.replace("'", "&#x27;") in content


def test_comparison_table_is_accessible_and_prices_come_from_the_catalogue(client, site):
    content = client.get("/film-tv-production/compare/").content.decode()

    assert "<caption>" in content
    assert content.count('scope="col"') == 6  # credential, cost, study time, exam, renewal, production
    assert content.count('scope="row"') == 6
    for name in ("PMP", "AIGA", "line producing"):
        assert name in content
    for slug in ("level-i", "level-ii", "bundle"):
        assert format_money(site[slug].price_cents) in content


def test_product_page_has_product_offer_and_breadcrumbs(client, site):
    content = client.get("/products/level-i/").content.decode()

    items = {item["@type"]: item for item in _structured_data(content)}
    assert items["Product"]["offers"]["price"] == str(to_decimal(site["level-i"].price_cents))
    assert items["Product"]["offers"]["priceCurrency"] == "USD"
    assert items["BreadcrumbList"]["itemListElement"][-1]["item"] == "https://cpma.example/products/level-i/"


def test_structured_data_cannot_break_out_of_its_script(client, site):
    Product.objects.filter(slug="level-i").update(tagline="</script><script>alert(1)</script>")

    content = client.get("/products/level-i/").content.decode()

    assert "</script><script>alert(1)" not in content
    assert _structured_data(content)[0]["description"] == "</script><script>alert(1)</script>"


def test_sitemap_lists_pages_and_products_on_the_site_url(client, site):
    make_product(slug="hidden-kit", is_active=False)

    content = client.get("/sitemap.xml").content.decode()

    for path in sitemap_paths():
        assert f"<loc>https://cpma.example{path}</loc>" in content
    assert "/products/bundle/" in content
    assert "hidden-kit" not in content
    assert "/checkout/" not in content


def test_robots_points_at_the_sitemap_and_keeps_crawlers_out_of_checkout(client, site):
    content = client.get("/robots.txt").content.decode()

    assert "Sitemap: https://cpma.example/sitemap.xml" in content
    assert "Disallow: /checkout/" in content
    assert "Disallow: /admin/" in content


def test_404_page_is_not_indexed(client, site):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", LANDING)
def test_landing_query_count_does_not_grow_with_the_catalogue(client, site, url):
    before = _query_count(client, url)
    kits = [make_product(kind=Product.Kind.COURSE) for _ in range(20)]
    for i in range(5):
        make_bundle(kits[i * 4 : i * 4 + 4])

    after = _query_count(client, url)

    assert before == after
    assert after <= 5


@pytest.mark.parametrize("path", ["/", "/film-tv-production/", "/faq/"])
def test_public_pages_answer_head_requests(client, site, path):
    assert client.head(path).status_code == 200


def test_public_pages_refuse_post_with_a_405(client, site):
    assert client.post("/film-tv-production/").status_code == 405
