"""Claims keep to their sources: Level I facts stay Level I's, the Bundle is 'most often chosen' for teams
only, and the comparison's grades read as a guide's judgement."""

import pytest

from catalog.comparison import CREDENTIALS
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
    texts += [f"{c.built_for} {c.fit_detail}" for c in CREDENTIALS]
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


def test_comparison_page_presents_the_grades_as_a_guides_judgement(client, catalog):
    content = client.get("/film-tv-production/compare/").content.decode()

    assert "The fit grades are a judgement" in content
    assert "(the guide's view)" in content


def test_team_role_page_says_most_often_chosen(client, catalog):
    content = client.get("/film-tv-production/for/heads-of-production/").content.decode()

    assert "the option teams choose most often" in content
