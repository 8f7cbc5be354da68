"""Corrects the terms of sale for Stripe Tax (issue 27): VAT is now charged where the law requires it, and a
business with a valid EU or UK VAT number gets the reverse charge; the page no longer says no VAT is added.
Only a page whose body is still exactly the earlier seeded wording changes; one staff have edited is left as
they wrote it."""

from django.db import migrations

# (slug, the wording as seeded before, the corrected wording). Frozen here: later seed edits must not change
# what this migration did.
CORRECTIONS = (
    (
        "terms",
        'These terms apply to every purchase from the Creative Project Management Academy ("the academy", "we") on this site. Paying for an order means you accept them.\n\n## What you buy\n- Online certification courses (CPMA Level I and CPMA Level II) and downloadable kits (the Project Manager Resume Kit and the Creative PM AI Kit), on their own or together as the CPMA Bundle. Each product page says what the product contains.\n- A seat is for one person. Teams buy one seat per person, up to 50 seats in one order; for a larger team, write to {contact_email}.\n\n## Prices and payment\n- Prices are in US dollars. You see the price on the product page and the total on the order review page before you pay, and the order is charged at the price shown when you start checkout.\n- Stripe takes the payment on its own secure page. No VAT or sales tax is added to our prices. Your card details go to Stripe, never to us.\n- The order is confirmed when the payment succeeds; we then email a confirmation with your order reference.\n\n## Access\nThe confirmation email links to your purchases page, where each course shows how to get into it and each kit has its files to download. Whoever pays holds the first seat of the order. On a team order, the buyer gives every other seat to a colleague on the purchases page, by name and email address, or sends them that seat\'s claim link; each person then gets their own access email. The courses are self-paced, so each person starts when it suits them.\n\n## Certificates\nBuying a course does not earn its certificate; passing the exam does. For Level I the pass mark is 70%, retakes are free and unlimited, and the digital certificate, sent by email, never expires.\n\n## Kits\nTemplates, prompts and setup files are for the work of the people who hold seats on the order. Please do not resell or republish them.\n\n## Refunds\nEvery order can be refunded in full within five days of payment, with no questions asked. The refund policy says exactly what that covers.\n\n## Questions and complaints\nWrite to {contact_email} and include your order reference.\n',
        'These terms apply to every purchase from the Creative Project Management Academy ("the academy", "we") on this site. Paying for an order means you accept them.\n\n## What you buy\n- Online certification courses (CPMA Level I and CPMA Level II) and downloadable kits (the Project Manager Resume Kit and the Creative PM AI Kit), on their own or together as the CPMA Bundle. Each product page says what the product contains.\n- A seat is for one person. Teams buy one seat per person, up to 50 seats in one order; for a larger team, write to {contact_email}.\n\n## Prices and payment\n- Prices are in US dollars. You see the price on the product page and the total on the order review page before you pay, and the order is charged at the price shown when you start checkout.\n- Stripe takes the payment on its own secure page. VAT is charged where the law requires it, worked out by Stripe from your billing address; the product pages and the order review page say whether a price includes it, and Stripe\'s page shows the tax before you pay. A business with a valid EU or UK VAT number enters it there and usually pays no VAT (reverse charge). Your card details go to Stripe, never to us.\n- The order is confirmed when the payment succeeds; we then email a confirmation with your order reference.\n\n## Access\nThe confirmation email links to your purchases page, where each course shows how to get into it and each kit has its files to download. Whoever pays holds the first seat of the order. On a team order, the buyer gives every other seat to a colleague on the purchases page, by name and email address, or sends them that seat\'s claim link; each person then gets their own access email. The courses are self-paced, so each person starts when it suits them.\n\n## Certificates\nBuying a course does not earn its certificate; passing the exam does. For Level I the pass mark is 70%, retakes are free and unlimited, and the digital certificate, sent by email, never expires.\n\n## Kits\nTemplates, prompts and setup files are for the work of the people who hold seats on the order. Please do not resell or republish them.\n\n## Refunds\nEvery order can be refunded in full within five days of payment, with no questions asked. The refund policy says exactly what that covers.\n\n## Questions and complaints\nWrite to {contact_email} and include your order reference.\n',
    ),
)


def correct(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, old, new in CORRECTIONS:
        Page.objects.filter(slug=slug, body=old).update(body=new)


def uncorrect(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, old, new in CORRECTIONS:
        Page.objects.filter(slug=slug, body=new).update(body=old)


class Migration(migrations.Migration):
    dependencies = [("pages", "0004_company_pays_copy")]

    operations = [migrations.RunPython(correct, uncorrect)]
