"""Public copy stays true to the product: the PO number is asked on our review page, not on Stripe's; team
seats are given on the purchases page, never by emailing or replying with names; Stripe Tax adds VAT where
it applies (settings.TAX_BEHAVIOR "exclusive", the default), so no page says prices include tax or that no
tax is charged; each seat has its own AI Kit.

Every public page is rendered from the launch seed and read sentence by sentence. The checks are phrased
as rules, so a reworded untrue sentence is caught too, and each rule is tested on the sentences that
were once live."""

import html
import re

import pytest

from tests.public_pages import public_paths

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(page: str) -> list[str]:
    body = page.split("<main", 1)[-1].split("</main>", 1)[0]
    text = html.unescape(TAG.sub(" ", body))
    return [" ".join(part.split()) for part in SENTENCE_END.split(text) if part.strip()]


def untrue(sentence: str) -> str | None:
    """Why `sentence` contradicts the product, or None."""
    s = sentence.lower()
    if re.search(r"\bpo\b|purchase order", s) and "payment page" in s and "review page" not in s:
        return "the PO number / cost centre field is on our review page, not Stripe's payment page"
    asks_to_send = re.search(r"\b(reply|write|email us|send us|e-mail us)\b", s)
    if (
        asks_to_send
        and re.search(r"\bnames?\b", s)
        and re.search(r"email address|e-mail address|emails\b", s)
    ):
        return "team seats are given on the purchases page, not by emailing names and addresses"
    if re.search(r"(tax|vat) included|including (tax|vat)", s):
        return "prices are before VAT (TAX_BEHAVIOR exclusive): VAT is added where it applies"
    if re.search(r"\bno (vat|sales tax|tax)\b.*\b(added|charged)\b|adds no (vat|sales tax|tax)", s):
        return "Stripe Tax charges VAT where it applies, so no page may say none is added"
    if "shared ai kit" in s:
        return "each seat has its own AI Kit"
    return None


@pytest.mark.parametrize(
    "once_live",
    [
        'Stripe\'s payment page has an optional field called "PO number / cost centre".',
        "It shows your company's name, tax ID and billing address and an optional PO number or cost centre, "
        "all entered on the payment page.",
        "After paying, reply to the confirmation email with the name and email address of each person.",
        "For a team order, reply to the confirmation email with the name and email address of each person "
        "who should get a seat.",
        "Email us the names and email addresses of your team.",
        "No VAT or sales tax is added to our prices.",
        "No. The shop adds no VAT or sales tax, so the price per seat times the number of seats is what you pay.",
        "The whole amount paid for the order, tax included, however many seats it has.",
        "The CPMA Bundle gives every seat both certifications, the Resume Kit and a shared AI Kit.",
        "All prices including VAT.",
    ],
)
def test_the_rules_catch_the_sentences_that_were_once_live(once_live):
    assert untrue(once_live)


@pytest.mark.parametrize(
    "true_sentence",
    [
        "Our order review page has an optional box for a PO number or cost centre.",
        "It also carries your company's name, tax ID and billing address, which you type on Stripe's payment "
        "page, and the PO number or cost centre if you gave one on our order review page.",
        "Give each of the others to a colleague by name and email address.",
        "Reply to your order confirmation email, or write to us, with your order reference.",
        "Stripe takes the payment on its own secure page and shows any tax before you confirm.",
        "Total for 2 seats at $147 each: $294 plus VAT where it applies",
        "A business with a valid EU or UK VAT number enters it there and usually pays no VAT (reverse charge).",
    ],
)
def test_the_rules_let_true_sentences_through(true_sentence):
    assert untrue(true_sentence) is None


def test_no_public_page_says_anything_the_product_contradicts(client, catalog, faq_questions, settings):
    from django.core.management import call_command

    call_command("load_pages", verbosity=0)
    settings.STRIPE_SECRET_KEY = "sk_test_copy"  # the review pages show their form
    found = []
    paths = public_paths()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        for sentence in sentences(response.content.decode()):
            if reason := untrue(sentence):
                found.append(f"{path}: {sentence!r} ({reason})")

    assert not found, "\n".join(found)
    assert {"/faq/", "/expensing/", "/terms-of-sale/", "/film-tv-production/compare/"} <= set(paths)
