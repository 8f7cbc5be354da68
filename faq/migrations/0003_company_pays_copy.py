"""Corrects two launch answers for "My company pays" (issue 32): the company's tax ID and billing address are
confirmed by accounts payable on a payment request, or entered by a card buyer, not only typed on Stripe's
payment page. Only an answer still exactly as seeded changes; one staff have edited is left as they wrote it.
The new question on payment requests is created by `load_faq`, like any missing question."""

from django.db import migrations

# (slug, the answer as seeded before, the corrected answer). Frozen here: later seed edits must not change
# what this migration did.
CORRECTIONS = (
    (
        "receipts",
        "Yes. After payment Stripe issues an invoice you can download as a PDF: it shows the order reference, the products, the number of seats and the amount paid. It also carries your company's name, tax ID and billing address, which you type on Stripe's payment page, and the PO number or cost centre if you gave one on our order review page. The order confirmation email lists the same order details.",
        "Yes. Every order has an invoice, issued through Stripe, that you can download as a PDF: it shows the order reference, the products, the number of seats and the amount. It also carries your company's name, tax ID and billing address, confirmed by accounts payable when your company pays by a payment request or entered when you pay by card yourself, and the PO number or cost centre if one was given on our order review page. Whoever pays gets a receipt, and the order confirmation email lists the same order details.",
    ),
    (
        "vat-and-sales-tax",
        "No. The shop adds no VAT or sales tax, so the price per seat times the number of seats is what you pay, before any promotion code. If your company's accounts need its tax ID on the invoice, type it on Stripe's payment page and it is printed there.",
        "No. The shop adds no VAT or sales tax, so the price per seat times the number of seats is what you pay, before any promotion code. If your company's accounts need its tax ID on the invoice, it is printed there: accounts payable confirm it on a payment request, and a card buyer enters it when paying.",
    ),
)


def correct(apps, schema_editor):
    Question = apps.get_model("faq", "Question")
    for slug, old, new in CORRECTIONS:
        Question.objects.filter(slug=slug, answer=old).update(answer=new)


def uncorrect(apps, schema_editor):
    Question = apps.get_model("faq", "Question")
    for slug, old, new in CORRECTIONS:
        Question.objects.filter(slug=slug, answer=new).update(answer=old)


class Migration(migrations.Migration):
    dependencies = [("faq", "0002_correct_launch_copy")]

    operations = [migrations.RunPython(correct, uncorrect)]
