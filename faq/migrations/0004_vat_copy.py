"""Corrects the VAT answer for Stripe Tax (issue 27): VAT is now charged where the law requires it, and a business
with a valid EU or UK VAT number gets the reverse charge. Only an answer still exactly as seeded changes; one
staff have edited is left as they wrote it."""

from django.db import migrations

# (slug, the wording as seeded before, the corrected wording). Frozen here: later seed edits must not change
# what this migration did.
CORRECTIONS = (
    (
        "vat-and-sales-tax",
        "No. The shop adds no VAT or sales tax, so the price per seat times the number of seats is what you pay, before any promotion code. If your company's accounts need its tax ID on the invoice, it is printed there: accounts payable confirm it on a payment request, and a card buyer enters it when paying.",
        "VAT is charged where the law requires it (for example to consumers in the UK and the EU), worked out by Stripe from your billing address. The product pages and the order review page say whether the price includes it, and Stripe's payment page shows the tax before you pay. A business with a valid EU or UK VAT number enters it when paying and usually pays no VAT: the invoice then says reverse charge. If your company's accounts need its tax ID on the invoice, it is printed there: accounts payable confirm it on a payment request, and a card buyer enters it when paying.",
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
    dependencies = [("faq", "0003_company_pays_copy")]

    operations = [migrations.RunPython(correct, uncorrect)]
