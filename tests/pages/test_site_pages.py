"""Terms, privacy, refunds, contact and the expensing page: seeded once, edited by staff, cached."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money
from pages.models import PAGE_ADDRESSES, Page
from pages.render import render_body
from pages.seed import PAGES as SEED
from tests.factories import make_staff

SLUGS = [slug for slug, _address, _label in PAGE_ADDRESSES]


@pytest.fixture
def site_pages(catalog) -> dict[str, Page]:
    call_command("load_pages", verbosity=0)
    return {page.slug: page for page in Page.objects.all()}


def test_load_pages_creates_every_page_then_changes_nothing(db):
    out = StringIO()
    call_command("load_pages", stdout=out)
    assert sorted(Page.objects.values_list("slug", flat=True)) == sorted(SLUGS)
    assert f"Created {len(SLUGS)} pages" in out.getvalue()

    out = StringIO()
    call_command("load_pages", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Page.objects.count() == len(SLUGS)


def test_load_pages_never_overwrites_staff_edits(db):
    call_command("load_pages", verbosity=0)
    Page.objects.filter(slug="terms").update(body="Edited by staff.")
    Page.objects.filter(slug="privacy").delete()
    out = StringIO()

    call_command("load_pages", stdout=out)

    assert Page.objects.get(slug="terms").body == "Edited by staff."
    assert Page.objects.filter(slug="privacy").exists()
    assert "Created 1 pages: privacy." in out.getvalue()


def test_seed_covers_every_address_and_titles_and_descriptions_are_unique():
    assert sorted(page["slug"] for page in SEED) == sorted(SLUGS)
    assert len({page["title"] for page in SEED}) == len(SEED)
    assert len({page["description"] for page in SEED}) == len(SEED)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_has_its_own_title_description_and_breadcrumb(client, site_pages, slug):
    page = site_pages[slug]

    content = client.get(reverse(f"pages:{slug}")).content.decode()

    assert f"<title>{page.title} · CPMA</title>" in content
    assert f'<meta name="description" content="{page.description}">' in content
    assert f"<h1>{page.title}</h1>" in content
    assert '<span aria-current="page">' in content


def test_every_page_of_the_site_links_to_the_site_pages_from_its_footer(client, site_pages):
    for path in ("/", "/faq/", reverse("pages:terms")):
        footer = client.get(path).content.decode().split('<footer class="site-footer">')[1]
        for slug in SLUGS:
            assert f'href="{reverse(f"pages:{slug}")}"' in footer, (path, slug)


def test_contact_page_shows_the_configured_address(client, site_pages, settings):
    settings.SITE_CONTACT_EMAIL = "orders-help@academy.example"

    content = client.get(reverse("pages:contact")).content.decode()

    assert 'href="mailto:orders-help@academy.example"' in content


def test_contact_email_placeholder_follows_the_setting(client, site_pages, settings):
    settings.SITE_CONTACT_EMAIL = "team@academy.example"

    content = client.get(reverse("pages:refunds")).content.decode()

    assert '<a href="mailto:team@academy.example">team@academy.example</a>' in content
    assert "{contact_email}" not in content


def test_refund_policy_states_the_guarantee_and_its_scope(client, site_pages):
    content = client.get(reverse("pages:refunds")).content.decode()

    assert "five days" in content
    assert "no questions asked" in content
    assert 'id="what-the-guarantee-covers"' in content
    for product in Product.objects.all():
        assert product.name.removeprefix("CPMA ").removesuffix(" Certification") in content


def test_expensing_page_price_follows_the_catalogue(client, site_pages):
    Product.objects.filter(slug="bundle").update(price_cents=31_900)

    content = client.get(reverse("pages:expensing")).content.decode()

    assert format_money(31_900) in content
    assert "{price:" not in content
    for words in ("PO number / cost centre", "tax ID", "billing address", "one invoice"):
        assert words in content


def test_body_is_escaped_and_structured():
    html = render_body("## Heading & more\n\nA <b>line</b>\nnext\n\n- one\n- two", {})

    assert '<h2 id="heading-more">Heading &amp; more</h2>' in html
    assert "<p>A &lt;b&gt;line&lt;/b&gt;<br>\nnext</p>" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html


def test_unknown_placeholder_shows_as_written_without_breaking_the_page(client, site_pages):
    Page.objects.filter(slug="terms").update(body="Costs {price:retired-product}, ask {someone}.")

    response = client.get(reverse("pages:terms"))

    assert response.status_code == 200
    assert "Costs {price:retired-product}, ask {someone}." in response.content.decode()


def test_missing_page_is_404(client, db):
    assert client.get(reverse("pages:privacy")).status_code == 404


def test_site_pages_are_in_the_sitemap(client, site_pages):
    content = client.get("/sitemap.xml").content.decode()

    for slug in SLUGS:
        assert f"{reverse(f'pages:{slug}')}</loc>" in content


@pytest.fixture
def editor(client, db):
    client.force_login(make_staff("pages-editor", group="Catalogue editors"))
    return client


def test_catalogue_editors_edit_page_wording_but_cannot_add_or_delete(editor, site_pages):
    page = site_pages["terms"]
    change = reverse("admin:pages_page_change", args=[page.pk])
    assert editor.get(reverse("admin:pages_page_changelist")).status_code == 200
    assert editor.get(change).status_code == 200

    response = editor.post(
        change, {"title": "Terms of sale", "description": page.description, "body": "New wording."}
    )

    assert response.status_code == 302
    assert Page.objects.get(pk=page.pk).body == "New wording."
    assert editor.get(reverse("admin:pages_page_add")).status_code == 403
    assert editor.get(reverse("admin:pages_page_delete", args=[page.pk])).status_code == 403


def test_admin_refuses_placeholders_it_cannot_fill(editor, site_pages):
    page = site_pages["terms"]

    response = editor.post(
        reverse("admin:pages_page_change", args=[page.pk]),
        {
            "title": page.title,
            "description": page.description,
            "body": "Write to {contact} for {price:nope}.",
        },
    )

    assert response.status_code == 200
    assert "{contact}, {price:nope}" in response.content.decode()
    assert Page.objects.get(pk=page.pk).body == page.body
