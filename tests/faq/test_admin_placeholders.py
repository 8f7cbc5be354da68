"""The FAQ admin refuses placeholders that would reach buyers unfilled."""

import pytest
from django.urls import reverse

from faq.models import Question
from faq.render import malformed_placeholders
from faq.seed import QUESTIONS
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_staff("editor", group="Catalogue editors"))
    return client


def post_answer(client, answer: str):
    return client.post(
        reverse("admin:faq_question_add"),
        {
            "question": "Q?",
            "slug": "q",
            "answer": answer,
            "topic": "buying",
            "position": "1",
            "is_published": "on",
        },
    )


@pytest.mark.parametrize(
    "written",
    ["{price: level-i}", "{Price:level-i}", "{price:Level-I}", "{price level-i}", "{savings percent:bundle}"],
)
def test_malformed_placeholder_is_refused_and_named(editor_client, catalog, written):
    response = post_answer(editor_client, f"Level I costs {written} today.")

    content = response.content.decode()
    assert response.status_code == 200
    assert "These placeholders are not written correctly" in content
    assert written in content
    assert not Question.objects.filter(slug="q").exists()


def test_every_malformed_placeholder_is_named_once(catalog):
    text = "{price: level-i} and {price:level-ii and {price: level-i} and {price:bundle}"

    assert malformed_placeholders(text) == ["{price: level-i}", "{price:level-ii and"]


def test_ordinary_braces_and_good_placeholders_are_not_malformed():
    assert malformed_placeholders("Use {curly} braces {x}; {price:level-i} {savings_percent:bundle}") == []


def test_unknown_product_is_still_refused(editor_client, catalog):
    response = post_answer(editor_client, "Costs {price:level-iii}.")

    assert response.status_code == 200
    assert "cannot be filled: {price:level-iii}" in response.content.decode()


def test_well_formed_answer_saves(editor_client, catalog):
    response = post_answer(editor_client, "Level I costs {price:level-i}; the Bundle saves {savings:bundle}.")

    assert response.status_code == 302


def test_seeded_answers_have_no_malformed_placeholders():
    assert [q["slug"] for q in QUESTIONS if malformed_placeholders(q["answer"])] == []
