import io

import pytest
from django.core.management import call_command

from catalog.models import BundleItem, CurriculumModule, Product
from catalog.seed import PRODUCTS


def run_load_catalog() -> str:
    out = io.StringIO()
    call_command("load_catalog", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_catalog_creates_the_launch_catalogue():
    output = run_load_catalog()

    assert "Created 5 products" in output
    assert set(Product.objects.values_list("slug", flat=True)) == {p["slug"] for p in PRODUCTS}
    bundle = Product.objects.get(slug="bundle")
    assert [i.component.slug for i in bundle.bundle_items.all()] == [
        "level-i",
        "level-ii",
        "resume-kit",
        "ai-kit",
    ]
    assert list(Product.objects.get(slug="level-i").modules.values_list("title", flat=True)) == [
        "Brief writing and project initiation",
        "Planning and forecasting",
        "Scope management",
        "Execution and workflow management",
        "Feedback and revision",
    ]
    assert list(Product.objects.get(slug="level-ii").modules.values_list("title", flat=True)) == [
        "Advanced Forecasting and Planning",
        "Execution Challenges",
        "Risk Mitigation",
        "Collaborative Tools",
        "Problem-Solving Scenarios",
    ]


@pytest.mark.django_db
def test_load_catalog_twice_changes_nothing():
    run_load_catalog()
    counts = (Product.objects.count(), BundleItem.objects.count(), CurriculumModule.objects.count())

    output = run_load_catalog()

    assert "nothing changed" in output
    assert (Product.objects.count(), BundleItem.objects.count(), CurriculumModule.objects.count()) == counts


@pytest.mark.django_db
def test_load_catalog_keeps_staff_edits():
    run_load_catalog()
    Product.objects.filter(slug="level-ii").update(price_cents=12345, name="Level II (edited)")
    CurriculumModule.objects.filter(product__slug="level-i").first().delete()

    run_load_catalog()

    level_ii = Product.objects.get(slug="level-ii")
    assert (level_ii.price_cents, level_ii.name) == (12345, "Level II (edited)")
    assert Product.objects.get(slug="level-i").modules.count() == 4


@pytest.mark.django_db
def test_load_catalog_restores_a_deleted_product_only():
    run_load_catalog()
    Product.objects.filter(slug="ai-kit").update(price_cents=1)
    BundleItem.objects.filter(component__slug="resume-kit").delete()
    Product.objects.filter(slug="resume-kit").delete()

    output = run_load_catalog()

    assert "resume-kit" in output
    assert Product.objects.get(slug="ai-kit").price_cents == 1
