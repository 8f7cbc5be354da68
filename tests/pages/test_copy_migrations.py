"""The launch copy that contradicted the product is corrected in databases seeded before the fix, unless
staff had already rewritten it."""

import importlib

import pytest
from django.apps import apps as django_apps

from faq.models import Question
from faq.seed import QUESTIONS
from pages.models import Page
from pages.seed import PAGES

pytestmark = pytest.mark.django_db


def test_pages_still_in_their_launch_wording_get_the_corrected_wording():
    migration = importlib.import_module("pages.migrations.0003_correct_launch_copy")
    (slug, old, new), *_ = migration.CORRECTIONS
    Page.objects.create(slug=slug, title="T", description="d", body=old)
    Page.objects.create(slug="privacy", title="P", description="p", body="Staff wording.")

    migration.correct(django_apps, None)
    assert Page.objects.get(slug=slug).body == new
    importlib.import_module("pages.migrations.0005_vat_copy").correct(django_apps, None)  # the later fix

    assert Page.objects.get(slug=slug).body == next(p["body"] for p in PAGES if p["slug"] == slug)
    assert Page.objects.get(slug="privacy").body == "Staff wording."


def test_pages_staff_rewrote_keep_their_wording():
    migration = importlib.import_module("pages.migrations.0003_correct_launch_copy")
    slug = migration.CORRECTIONS[0][0]
    Page.objects.create(slug=slug, title="T", description="d", body="Our own terms, edited in admin.")

    migration.correct(django_apps, None)

    assert Page.objects.get(slug=slug).body == "Our own terms, edited in admin."


def test_faq_answers_still_as_first_seeded_get_the_corrected_answer():
    migration = importlib.import_module("faq.migrations.0002_correct_launch_copy")
    for slug, old, _new in migration.CORRECTIONS:
        Question.objects.create(slug=slug, question="Q?", topic="buying", answer=old)
    Question.objects.filter(slug="receipts").update(answer="Edited by staff.")

    migration.correct(django_apps, None)

    seeded = {q["slug"]: q["answer"] for q in QUESTIONS}
    assert (
        Question.objects.get(slug="what-happens-after-payment").answer == seeded["what-happens-after-payment"]
    )
    assert Question.objects.get(slug="receipts").answer == "Edited by staff."


def test_the_terms_and_the_vat_answer_seeded_before_stripe_tax_get_the_vat_wording():
    pages_fix = importlib.import_module("pages.migrations.0005_vat_copy")
    faq_fix = importlib.import_module("faq.migrations.0004_vat_copy")
    ((slug, old, _),) = pages_fix.CORRECTIONS
    ((question, old_answer, _),) = faq_fix.CORRECTIONS
    Page.objects.create(slug=slug, title="T", description="d", body=old)
    Question.objects.create(slug=question, question="Q?", topic="buying", answer=old_answer)

    pages_fix.correct(django_apps, None)
    faq_fix.correct(django_apps, None)

    assert Page.objects.get(slug=slug).body == next(p["body"] for p in PAGES if p["slug"] == slug)
    assert Question.objects.get(slug=question).answer == next(
        q["answer"] for q in QUESTIONS if q["slug"] == question
    )
    assert "No VAT or sales tax is added" not in Page.objects.get(slug=slug).body
