"""Corrects the launch FAQ answers that contradicted the product (issue 22): the PO field is on our review
page, and after paying the purchases page holds the access and the seats. Only an answer still exactly as
first seeded changes; one staff have edited is left as they wrote it. New questions come from load_faq."""

from django.db import migrations

# (slug, the launch wording as first seeded, the corrected wording). Frozen here: later seed edits must
# not change what this migration did.
CORRECTIONS = (
    (
        "what-happens-after-payment",
        "Payment is taken by Stripe. Once it goes through you come back to a confirmation page, and we email you an order confirmation with your order reference and what you bought, including the number of seats. The courses are self-paced, so you can start whenever suits you.",
        "Stripe takes the payment and sends you back to a confirmation page. We then email you an order confirmation with your order reference, what you bought and how many seats, and a link to your purchases page (/purchases/ on this site), where each course says how to get in and each kit has its files.\n\nYou hold the first seat of everything you bought. On a team order, give each other seat to a colleague on the purchases page, by name and email address, or send them the seat's claim link; each person gets their own access email. The courses are self-paced, so everyone starts when it suits them.",
    ),
    (
        "receipts",
        "Yes. After payment Stripe issues an invoice you can download as a PDF: it shows the order reference, the products, the number of seats and the amount paid, plus your company's name, tax ID and billing address and an optional PO number or cost centre, all entered on the payment page. The order confirmation email lists the same order details.",
        "Yes. After payment Stripe issues an invoice you can download as a PDF: it shows the order reference, the products, the number of seats and the amount paid. It also carries your company's name, tax ID and billing address, which you type on Stripe's payment page, and the PO number or cost centre if you gave one on our order review page. The order confirmation email lists the same order details.",
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
    dependencies = [("faq", "0001_initial")]

    operations = [migrations.RunPython(correct, uncorrect)]
