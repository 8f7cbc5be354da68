"""Placeholder prices are flagged until staff confirm them: the seed flags them, admin lists the flag, and a
new price or the "Confirm prices" action clears it."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from catalog.models import Product, ProductPrice
from tests.factories import make_product, make_staff, product_admin_form

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalog_product_changelist")


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def test_load_catalog_flags_the_three_unpublished_prices_only(catalog):
    flagged = set(Product.objects.filter(price_is_placeholder=True).values_list("slug", flat=True))

    assert flagged == {"level-ii", "resume-kit", "ai-kit"}


def test_product_list_shows_which_prices_are_placeholders(editor_client, catalog):
    response = editor_client.get(CHANGELIST, {"price_is_placeholder__exact": "1"})

    content = response.content.decode()
    assert "Price confirmed" in content and "icon-no" in content
    assert "CPMA Level II Certification" in content
    assert "CPMA Level I Certification" not in content


def test_confirm_prices_action_clears_the_flag_and_keeps_the_price(editor_client, catalog):
    level_ii = catalog["level-ii"]

    response = editor_client.post(
        CHANGELIST,
        {"action": "confirm_selected_prices", "_selected_action": [level_ii.pk, catalog["level-i"].pk]},
        follow=True,
    )

    level_ii.refresh_from_db()
    assert not level_ii.price_is_placeholder
    assert level_ii.price_cents == 19700
    assert Product.objects.get(slug="ai-kit").price_is_placeholder  # not selected, still flagged
    # Level I's own price was real, but its seeded pound and euro prices were placeholders: both confirmed.
    assert not ProductPrice.objects.filter(product__in=[level_ii, catalog["level-i"]], is_placeholder=True)
    assert ProductPrice.objects.filter(product__slug="ai-kit", is_placeholder=True).count() == 2
    assert "Confirmed the price of 2 products." in response.content.decode()


def test_saving_a_new_price_in_admin_confirms_it(editor_client, catalog):
    kit = catalog["resume-kit"]

    editor_client.post(
        reverse("admin:catalog_product_change", args=[kit.pk]), product_admin_form(kit, price="79.00")
    )

    kit.refresh_from_db()
    assert kit.price_cents == 7900
    assert not kit.price_is_placeholder


def test_saving_other_fields_leaves_a_placeholder_price_flagged(editor_client, catalog):
    kit = catalog["resume-kit"]

    editor_client.post(
        reverse("admin:catalog_product_change", args=[kit.pk]), product_admin_form(kit, tagline="New line")
    )

    kit.refresh_from_db()
    assert kit.tagline == "New line"
    assert kit.price_is_placeholder


def test_migration_flags_only_products_still_at_their_launch_placeholder_price():
    migration = importlib.import_module("catalog.migrations.0006_product_price_is_placeholder")
    untouched = make_product(slug="level-ii", price_cents=19700)
    repriced = make_product(slug="ai-kit", price_cents=9900)
    other = make_product(slug="level-i", price_cents=14700)

    migration.flag_launch_placeholders(django_apps, None)

    assert Product.objects.get(pk=untouched.pk).price_is_placeholder
    assert not Product.objects.get(pk=repriced.pk).price_is_placeholder
    assert not Product.objects.get(pk=other.pk).price_is_placeholder
