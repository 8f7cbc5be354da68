"""Claims keep to their sources: Level I facts stay Level I's, the Bundle is 'most often chosen' for teams
only, and the comparison is plainly the academy's own, with checkable facts instead of grades."""

import html

import pytest

from catalog.comparison import CREDENTIALS
from catalog.models import Product
from catalog.roles import ROLE_PAGES
from catalog.seed import PRODUCTS
from faq.seed import QUESTIONS
from pages.seed import PAGES

pytestmark = pytest.mark.django_db

LEVEL_I_ONLY = ("retake", "70%", "never expires")


def seed_texts() -> list[str]:
    texts = [f"{p['description']} {p['audience']} {p['tagline']}" for p in PRODUCTS]
    texts += [f"{q['question']} {q['answer']}" for q in QUESTIONS]
    texts += [f"{r.pitch} {r.description} {' '.join(r.points)}" for r in ROLE_PAGES]
    texts += [
        " ".join((c.provider, c.cost, c.study_time, c.exam, c.renewal, c.production)) for c in CREDENTIALS
    ]
    return texts + [page["body"] for page in PAGES]


def test_no_copy_calls_the_bundle_the_usual_choice():
    assert not [text for text in seed_texts() if "usual choice" in text or "usually pick" in text]


def test_bundle_popularity_is_claimed_for_teams_only():
    for text in seed_texts():
        for sentence in text.split(". "):
            if "most often" in sentence:
                assert "team" in sentence.lower(), sentence


def test_level_i_facts_are_only_stated_as_level_is():
    for product in PRODUCTS:
        if product["slug"] != "level-i":
            assert not any(fact in product["description"] for fact in LEVEL_I_ONLY), product["slug"]
    exam = next(q for q in QUESTIONS if q["slug"] == "exam-retakes-and-pass-mark")
    assert "Level I" in exam["question"] and "Level I" in exam["answer"]


def test_comparison_page_says_it_is_the_academys_own_and_what_it_compares(client, catalog):
    content = html.unescape(client.get("/film-tv-production/compare/").content.decode())

    assert "This comparison is the academy's own" in content
    assert "guide" not in content.lower()
    for column in ("Cost", "Study time", "Exam", "Renewal", "About production"):
        assert f'<th scope="col">{column}</th>' in content


def test_comparison_gives_no_grades_and_prices_our_rows_from_the_catalogue(client, catalog):
    Product.objects.filter(slug="level-ii").update(price_cents=21900)
    table = (
        client.get("/film-tv-production/compare/").content.decode().split("<tbody>")[1].split("</tbody>")[0]
    )

    for grade in ("Strong", "Good", "Weak", "Partial", "Poor"):
        assert grade not in table
    assert "$147</span> a seat" in table and "$297</span> a seat" in table
    assert "$219</span> a seat" in table


def test_team_role_page_says_most_often_chosen(client, catalog):
    content = client.get("/film-tv-production/for/heads-of-production/").content.decode()

    assert "the option teams choose most often" in content
