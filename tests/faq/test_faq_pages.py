import json
import re

from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money
from faq.models import Question
from tests.factories import make_staff


def test_faq_lists_published_questions_grouped_by_topic_with_anchors(client, catalog, faq_questions):
    Question.objects.filter(slug="receipts").update(is_published=False)

    content = client.get("/faq/").content.decode()

    for question in Question.objects.filter(is_published=True):
        assert f'id="{question.slug}"' in content
        assert f'href="#{question.slug}"' in content
    assert "Will I get a receipt" not in content
    headings = re.findall(r'<h2 id="topic-(\w+)">', content)
    assert headings == [value for value, _ in Question.Topic.choices]


def test_faq_answers_show_prices_from_the_catalogue(client, catalog, faq_questions):
    Product.objects.filter(slug="resume-kit").update(price_cents=catalog["resume-kit"].price_cents + 5000)
    bundle = Product.objects.with_pricing().get(slug="bundle")

    content = client.get("/faq/").content.decode()

    assert format_money(bundle.pricing.separate_value_cents) in content
    assert format_money(bundle.pricing.savings_cents) in content
    assert f"{bundle.pricing.savings_percent}%" in content
    assert "{price:" not in content and "{savings:" not in content


def test_faq_page_has_faqpage_structured_data(client, catalog, faq_questions):
    content = client.get("/faq/").content.decode()

    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', content).group(1)
    faq_page = next(item for item in json.loads(payload)["@graph"] if item["@type"] == "FAQPage")
    assert len(faq_page["mainEntity"]) == Question.objects.filter(is_published=True).count()
    answers = " ".join(entry["acceptedAnswer"]["text"] for entry in faq_page["mainEntity"])
    assert format_money(catalog["bundle"].price_cents) in answers


def test_an_unknown_placeholder_saved_anyway_does_not_break_the_page(client, catalog, faq_questions):
    Question.objects.filter(slug="receipts").update(answer="Costs {price:retired-product}.")

    response = client.get("/faq/")

    assert response.status_code == 200
    assert "Costs {price:retired-product}." in response.content.decode()


def test_role_pages_show_the_questions_their_reader_asks(client, catalog, faq_questions):
    producers = client.get("/film-tv-production/for/producers/").content.decode()
    coordinators = client.get("/film-tv-production/for/coordinators/").content.decode()

    assert Question.objects.get(slug="best-certification-for-producers").question in producers
    assert Question.objects.get(slug="refund-guarantee").question not in producers
    assert Question.objects.get(slug="is-certification-worth-it-for-film").question in coordinators
    # The producers' and post teams' questions are not the coordinators' questions.
    for slug in ("best-certification-for-producers", "best-certification-for-post-production"):
        assert Question.objects.get(slug=slug).question not in coordinators


def test_overview_and_compare_pages_show_the_choosing_questions(client, catalog, faq_questions):
    for path in ("/film-tv-production/", "/film-tv-production/compare/"):
        content = client.get(path).content.decode()
        for question in Question.objects.filter(topic=Question.Topic.CHOOSING):
            assert question.question in content


def test_a_question_a_role_page_names_but_staff_unpublished_is_left_out(client, catalog, faq_questions):
    Question.objects.filter(slug="best-certification-for-producers").update(is_published=False)

    content = client.get("/film-tv-production/for/producers/").content.decode()

    assert "Which credential suits a producer" not in content
    assert Question.objects.get(slug="what-the-bundle-includes").question in content


def _admin_form(**overrides) -> dict:
    data = {
        "question": "How long is access?",
        "slug": "how-long-is-access",
        "answer": "For as long as you like; Level I costs {price:level-i}.",
        "topic": "buying",
        "position": 5,
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_catalogue_editors_can_add_a_question_in_admin(client, catalog):
    client.force_login(make_staff("editor", group="Catalogue editors"))

    response = client.post(reverse("admin:faq_question_add"), _admin_form())

    assert response.status_code == 302
    assert Question.objects.filter(slug="how-long-is-access").exists()


def test_admin_refuses_a_placeholder_that_cannot_be_filled(client, catalog):
    client.force_login(make_staff("editor", group="Catalogue editors"))

    response = client.post(
        reverse("admin:faq_question_add"), _admin_form(answer="Only {price:levle-i} today.")
    )

    assert response.status_code == 200
    assert "{price:levle-i}" in response.content.decode()
    assert not Question.objects.filter(slug="how-long-is-access").exists()


def test_catalogue_editors_hold_the_faq_permissions(db):
    codenames = set(
        Permission.objects.filter(group__name="Catalogue editors", content_type__app_label="faq").values_list(
            "codename", flat=True
        )
    )

    assert {"add_question", "change_question", "delete_question", "view_question"} <= codenames


def test_team_buyers_page_shows_the_employer_questions(client, catalog, faq_questions):
    content = client.get("/film-tv-production/for/heads-of-production/").content.decode()

    for question in Question.objects.filter(topic=Question.Topic.EMPLOYERS):
        assert question.question in content
