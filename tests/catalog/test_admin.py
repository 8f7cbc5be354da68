import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import Product
from faq.models import Question
from tests.factories import make_product, make_staff

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:catalog_product_add")


def bundle_form(components: list[Product], **fields) -> dict:
    data = {
        "name": "Test bundle",
        "slug": "test-bundle",
        "kind": "bundle",
        "tagline": "t",
        "description": "d",
        "audience": "a",
        "price": "50.00",
        "currency": "USD",
        "is_active": "on",
        "position": "1",
        "bundle_items-TOTAL_FORMS": str(len(components)),
        "bundle_items-INITIAL_FORMS": "0",
        "modules-TOTAL_FORMS": "0",
        "modules-INITIAL_FORMS": "0",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    for i, component in enumerate(components):
        data[f"bundle_items-{i}-component"] = str(component.pk)
        data[f"bundle_items-{i}-position"] = str(i)
    data.update(fields)
    return data


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def test_editor_adds_a_bundle_with_components(editor_client):
    parts = [make_product(price_cents=3000), make_product(price_cents=4000)]

    response = editor_client.post(ADD_URL, bundle_form(parts))

    assert response.status_code == 302
    bundle = Product.objects.with_pricing().get(slug="test-bundle")
    assert bundle.pricing.separate_value_cents == 7000
    assert bundle.pricing.savings_cents == 2000


def test_bundle_with_one_component_is_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, bundle_form([make_product()]))

    assert response.status_code == 200
    assert "at least 2 components" in response.content.decode()
    assert not Product.objects.filter(slug="test-bundle").exists()


def test_bundle_inside_a_bundle_is_a_form_error(editor_client, catalog):
    response = editor_client.post(ADD_URL, bundle_form([catalog["bundle"], catalog["level-i"]]))

    assert response.status_code == 200
    assert "cannot contain another bundle" in response.content.decode()
    assert not Product.objects.filter(slug="test-bundle").exists()


def test_mixed_currency_bundle_is_a_form_error(editor_client):
    parts = [make_product(), make_product(currency="EUR")]

    response = editor_client.post(ADD_URL, bundle_form(parts))

    assert response.status_code == 200
    assert "priced in EUR" in response.content.decode()


def test_zero_price_is_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, bundle_form([make_product(), make_product()], price="0"))

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not Product.objects.filter(slug="test-bundle").exists()


def test_bundle_priced_above_its_parts_saves_with_a_warning(editor_client):
    parts = [make_product(price_cents=1000), make_product(price_cents=1000)]

    response = editor_client.post(ADD_URL, bundle_form(parts, price="25"), follow=True)

    assert Product.objects.filter(slug="test-bundle").exists()
    assert "will show no savings" in response.content.decode()


def test_product_list_shows_derived_figures(editor_client, catalog):
    response = editor_client.get(reverse("admin:catalog_product_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "$498" in content
    assert "$201 (40%)" in content


def test_editor_can_edit_faq_but_not_orders_or_users(editor_client):
    assert editor_client.get(reverse("admin:faq_question_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:checkout_order_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_plain_user_is_refused(client, catalog):
    user = User.objects.create_user("plain", "plain@example.com", "a-long-test-password")
    client.force_login(user)

    response = client.get(reverse("admin:catalog_product_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_faq_question_is_editable_by_editors(editor_client):
    response = editor_client.post(
        reverse("admin:faq_question_add"),
        {
            "question": "Q?",
            "slug": "q",
            "answer": "A.",
            "topic": "buying",
            "position": "1",
            "is_published": "on",
        },
    )

    assert response.status_code == 302
    assert Question.objects.filter(slug="q").exists()
