"""The launch wording of the site pages. `load_pages` creates the missing ones (by slug) and never edits
existing pages, so staff edits in admin survive every `make run`.

Bodies use the plain-text format described in pages.render: `## ` subheadings, `- ` lists,
{contact_email}, and price placeholders instead of typed prices.
"""

TERMS = """\
These terms apply to every purchase from the Creative Project Management Academy ("the academy", "we") on \
this site. Paying for an order means you accept them.

## What you buy
- Online certification courses (CPMA Level I and CPMA Level II) and downloadable kits (the Project Manager \
Resume Kit and the Creative PM AI Kit), on their own or together as the CPMA Bundle. Each product page says \
what the product contains.
- A seat is for one person. Teams buy one seat per person, up to 50 seats in one order; for a larger team, \
write to {contact_email}.

## Prices and payment
- Prices are in US dollars. You see the price on the product page and the total on the order review page \
before you pay, and the order is charged at the price shown when you start checkout.
- Stripe takes the payment on its own secure page. VAT is charged where the law requires it, worked out by \
Stripe from your billing address; the product pages and the order review page say whether a price includes \
it, and Stripe's page shows the tax before you pay. A business with a valid EU or UK VAT number enters it \
there and usually pays no VAT (reverse charge). Your card details go to Stripe, never to us.
- The order is confirmed when the payment succeeds; we then email a confirmation with your order reference.

## Access
The confirmation email links to your purchases page, where each course shows how to get into it and each \
kit has its files to download. Whoever pays holds the first seat of the order. On a team order, the buyer \
gives every other seat to a colleague on the purchases page, by name and email address, or sends them that \
seat's claim link; each person then gets their own access email. The courses are self-paced, so each \
person starts when it suits them.

## Certificates
Buying a course does not earn its certificate; passing the exam does. For Level I the pass mark is 70%, \
retakes are free and unlimited, and the digital certificate, sent by email, never expires.

## Kits
Templates, prompts and setup files are for the work of the people who hold seats on the order. Please do \
not resell or republish them.

## Refunds
Every order can be refunded in full within five days of payment, with no questions asked. The refund \
policy says exactly what that covers.

## Questions and complaints
Write to {contact_email} and include your order reference.
"""

PRIVACY = """\
This notice explains what the academy learns about you when you buy on this site, what we do with it and \
who else sees it.

## What we collect
- At checkout: your email address, your name and your billing address; when a company pays, also the \
company name, its tax ID and any PO number or cost centre you enter.
- About the order: what you bought, the number of seats, the amounts, and whether it was paid or refunded.
- When you write to us: your message and your email address.

## What we do not collect
Card details go straight to Stripe and never reach us. This site has no advertising or analytics trackers, \
and its cookies serve security and signing in only, such as the one that protects the order form.

## What we use it for
- Taking payment, sending the order confirmation, the invoice and the access details, and answering you.
- Refunds, and the accounting records that tax law requires us to keep.

## Who else sees it
- Stripe, which takes payments and issues invoices for us.
- The email service that delivers our messages.
We do not sell your details or pass them on for marketing.

## How long we keep it
Order and payment records stay for as long as tax and accounting rules require. Messages stay for as long \
as we need them to answer you.

## Your choices
Write to {contact_email} to get a copy of what we hold about you, to correct it, or to have deleted \
whatever we are not required to keep.
"""

REFUNDS = """\
Every purchase comes with a five-day guarantee, no questions asked: ask within five days of paying and \
you get all of your money back. You do not need to give a reason.

## What the guarantee covers
- Every product sold on this site: Level I, Level II, the Project Manager Resume Kit, the Creative PM AI \
Kit and the Bundle.
- The whole amount paid for the order, however many seats it has.
- Orders paid by a company as well as by a person: the money goes back to the card or account that paid.

## When the five days run
They start when the payment goes through, which is the time on your order confirmation email. Ask no \
later than five days after that. Past the fifth day the guarantee no longer applies, but if something \
went wrong with your order, write to us anyway.

## How to ask
Reply to your order confirmation email, or write to {contact_email}, with your order reference (it looks \
like CPMA-000123).

## What happens next
We refund through Stripe to the card or account you paid with. Banks usually take 5 to 10 business days \
to show it on a statement. If an invoice was issued for the order, the refund is shown next to it, so your \
finance team can match the two.
"""

CONTACT = """\
The academy answers by email. If your message is about an order, give its reference: it is on your \
confirmation email and looks like CPMA-000123.

## What to include
- A refund within the five days: the order reference is enough, no reason needed.
- More than 50 seats: the product and the number of seats, and we will set up the order with you.
- A change to an invoice: the company details that should appear on it.
- Anything about access or certificates: the email address the order was placed with.

## Already bought?
You can also reply to your order confirmation email; replies reach the academy.
"""

EXPENSING = """\
Plenty of people have this paid for: by a professional development budget, or from a production company's \
training allowance. This page covers how your company can pay, what your finance team will ask for and the \
case to put to whoever signs off.

## Ask your company to pay: a payment request
You do not need a company card. On the order review page, open "My company pays" and give your manager's or \
accounts payable's email address with the company's name and billing country. We email them a link to the \
order. On that page they can check and correct the company name, billing address, tax ID and PO number \
before anything is billed, then choose:
- an invoice on payment terms, made out to the company and paid by bank transfer or card; or
- paying by card straight away.
Whoever pays gets a receipt with the invoice, and you get your access as soon as the money arrives. Until \
they choose you can send the request again or cancel it, and they can decline it, in which case we email \
you their reason. A reply to any of our emails about the request reaches the academy's accounts team.

## The invoice
Every order has an invoice, issued through Stripe, with a PDF to download. It shows:
- the academy as the seller, your order reference and the date of payment or the due date;
- each product with its number of seats, the price per seat, any discount, and the total;
- your company's name, tax ID and billing address: confirmed by accounts payable on a payment request, or \
entered on Stripe's payment page when you pay by card yourself;
- your PO number or cost centre, if one was given on our order review page or by accounts payable.

## The PO number / cost centre field
Our order review page, where you choose the number of seats, has an optional box for a PO number or cost \
centre, for a card payment and for a payment request alike. Type the reference your accounts team uses to \
match an invoice to a budget, or leave it empty; whatever is given is printed on the invoice.

## Several seats on one invoice
Choose the number of seats on the order review page, from 1 to 50: one seat per person, one payment and \
one invoice for all of them. Once the order is paid, open your purchases page from the link in the \
confirmation email. You hold the first seat; give each of the others to a colleague by name and email \
address, or copy a seat's claim link and send it to them yourself. Each person gets their own access email. \
For more than 50 seats, write to {contact_email}.

## If plans change
Every order can be refunded in full within five days of payment, no questions asked. The money goes back \
to the card or account that paid, and the refund is shown next to the invoice. The refund policy says \
exactly what it covers.

## Making the case to your employer
- It is training in how the team runs its work. The methods apply to your own pre-production, shoot and \
post, so the company gets better-run projects, not only a line on your resume.
- It is written for creative and production work. General project management courses assume requirements \
that are fixed at the start; this one deals with briefs, notes from many people, revision rounds and \
handing over to post.
- The templates and frameworks are meant for live projects, so they are in use while you study.
- Set the price against other production training your company pays for: the Bundle is {price:bundle} \
a seat for both certifications and both kits.
- Training a whole team? The Bundle is the option teams choose most often, so that everyone works from \
the same method and the same AI setup.
"""

PAGES = [
    {
        "slug": "terms",
        "title": "Terms of sale",
        "description": "The terms for buying CPMA certifications and kits: what a seat is, prices in US "
        "dollars, payment through Stripe, access, certificates and refunds.",
        "body": TERMS,
    },
    {
        "slug": "privacy",
        "title": "Privacy notice",
        "description": "What the Creative Project Management Academy collects when you buy, why, who else "
        "sees it (Stripe, our email service) and how to get a copy or have it deleted.",
        "body": PRIVACY,
    },
    {
        "slug": "refunds",
        "title": "Refund policy",
        "description": "Every CPMA order can be refunded in full within five days of payment, no questions "
        "asked: what the guarantee covers, when the five days run and how to ask.",
        "body": REFUNDS,
    },
    {
        "slug": "contact",
        "title": "Contact the academy",
        "description": "How to reach the Creative Project Management Academy about an order, a refund, an "
        "invoice or buying more than 50 seats for a team.",
        "body": CONTACT,
    },
    {
        "slug": "expensing",
        "title": "Paying through your employer",
        "description": "Getting your employer or production company to pay for a CPMA certification: a "
        "payment request and an invoice on terms, the PO number field, several seats on one invoice, refunds "
        "and the case to make.",
        "body": EXPENSING,
    },
]
