"""The employer page, the FAQ and the heads-of-production page lead with "My company pays" (payment requests
and invoices on terms), and none says a card through Stripe, or typing on Stripe's payment page, is the only
way; databases seeded with the earlier wording get the new one unless staff rewrote it."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from faq.models import Question
from faq.seed import QUESTIONS
from pages.models import Page
from pages.seed import PAGES

pytestmark = pytest.mark.django_db

ONLY_STRIPE = re.compile(
    r"paid by card through stripe|which you type on stripe's payment page|type it on stripe's payment page",
    re.IGNORECASE,
)
PATHS = ("/expensing/", "/faq/", "/film-tv-production/for/heads-of-production/")


def _main(client, path: str) -> str:
    content = client.get(path).content.decode()
    return content.split("<main", 1)[-1].split("</main>", 1)[0]


def test_no_employer_facing_page_says_stripe_card_is_the_only_way(client, catalog, faq_questions):
    call_command("load_pages", verbosity=0)

    for path in PATHS:
        assert not ONLY_STRIPE.search(_main(client, path)), path


def test_the_employer_page_leads_with_payment_requests_and_invoices_on_terms(client, catalog):
    call_command("load_pages", verbosity=0)

    main = _main(client, "/expensing/")

    first_heading = re.search(r"<h2[^>]*>(.*?)</h2>", main).group(1)
    assert "payment request" in first_heading.lower()
    assert "invoice on payment terms" in main
    assert "My company pays" in main


def test_the_faq_leads_the_employer_questions_with_company_pays(client, catalog, faq_questions):
    employers = [q.slug for q in Question.objects.filter(topic="employers").order_by("position")]

    assert employers[0] == "company-pays-by-invoice"
    assert "invoice on payment terms" in _main(client, "/faq/")


def test_the_heads_of_production_page_leads_with_paying_by_invoice(client, catalog, faq_questions):
    from catalog.roles import ROLE_PAGES_BY_SLUG

    page = ROLE_PAGES_BY_SLUG["heads-of-production"]

    assert "payment request" in page.points[0] and "invoice on terms" in page.points[0]
    assert "payment request" in _main(client, "/film-tv-production/for/heads-of-production/")


def test_databases_seeded_before_get_the_company_pays_wording_unless_staff_rewrote_it():
    pages_fix = importlib.import_module("pages.migrations.0004_company_pays_copy")
    faq_fix = importlib.import_module("faq.migrations.0003_company_pays_copy")
    ((slug, old, new),) = pages_fix.CORRECTIONS
    Page.objects.create(slug=slug, title="T", description="d", body=old)
    for question_slug, old_answer, _ in faq_fix.CORRECTIONS:
        Question.objects.create(slug=question_slug, question="Q?", topic="buying", answer=old_answer)
    Question.objects.filter(slug="receipts").update(answer="Edited by staff.")

    pages_fix.correct(django_apps, None)
    faq_fix.correct(django_apps, None)
    importlib.import_module("faq.migrations.0004_vat_copy").correct(django_apps, None)  # the later VAT fix

    assert Page.objects.get(slug=slug).body == new == next(p["body"] for p in PAGES if p["slug"] == slug)
    seeded = {q["slug"]: q["answer"] for q in QUESTIONS}
    assert Question.objects.get(slug="vat-and-sales-tax").answer == seeded["vat-and-sales-tax"]
    assert Question.objects.get(slug="receipts").answer == "Edited by staff."
