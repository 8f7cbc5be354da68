"""The launch FAQ. `load_faq` creates the questions that are missing (by slug) and never edits existing ones.

Prices are placeholders filled from the catalogue at render time (see faq.render), never typed in.
"""

QUESTIONS = [
    {
        "slug": "is-certification-worth-it-for-film",
        "topic": "choosing",
        "position": 10,
        "question": "Does a project management credential pay off in film and TV production?",
        "answer": (
            "It does when you have a clear reason for it. Three reasons come up most: putting a name and a "
            "credential on skills you picked up on set, showing producers and production companies that you "
            "can run the work before they hire you, and giving a whole production team one shared method.\n\n"
            "A credential written for creative work, such as CPMA Level I and Level II, shows those skills "
            "more directly than a general one like the PMP. For senior people, Level II is the one that "
            "covers leadership-level production practice."
        ),
    },
    {
        "slug": "does-the-pmp-help-in-production",
        "topic": "choosing",
        "position": 20,
        "question": "Does the PMP help in film and television production?",
        "answer": (
            "Somewhat. It is a well-known signal that you understand project management in general, but its "
            "frameworks assume a fixed deliverable, steps that follow one another in order and stakeholders "
            "who know what they want from the start.\n\n"
            "Productions are iterative, tied to physical constraints and answer to a much wider group of "
            "people. A credential built for creative project management tells a production employer more "
            "about whether you fit the job."
        ),
    },
    {
        "slug": "best-certification-for-producers",
        "topic": "roles",
        "position": 10,
        "question": "Which credential suits a producer or a line producer best?",
        "answer": (
            "Choose one written for creative project management that deals with how productions actually "
            "run. CPMA Level I ({price:level-i}) covers the foundations every production relies on; Level II "
            "({price:level-ii}) covers the advanced practice senior producers need.\n\n"
            "Line producing courses and other production-technical training are useful next to it, but they "
            "focus on budget mechanics and do not replace project management training. The PMP tells an "
            "employer you know generic project management, not that you are ready for a production."
        ),
    },
    {
        "slug": "best-certification-for-post-production",
        "topic": "roles",
        "position": 20,
        "question": "Which certification suits post-production coordinators and supervisors?",
        "answer": (
            "Post work rests on creative project management: taking over cleanly from production, "
            "coordinating editorial, sound, colour and VFX, steering director and client notes through "
            "revision rounds, and delivering files to spec. CPMA Level I covers exactly that.\n\n"
            "If you are head of post or a post-production producer, Level II adds the advanced operational "
            "side."
        ),
    },
    {
        "slug": "company-pays-by-invoice",
        "topic": "employers",
        "position": 5,
        "question": "Can my company pay, or send me an invoice on terms?",
        "answer": (
            'Yes. On the order review page choose "My company pays" and send a payment request to your '
            "manager or accounts payable. They get a link to the order, where they can check the company "
            "name, billing address, tax ID and PO number, then ask for an invoice on payment terms (paid by "
            "bank transfer or card) or pay by card at once. They can also decline, and you are told why.\n\n"
            "Nothing is charged until they choose. Whoever pays gets a receipt with the invoice, and your "
            "access and the order confirmation come to you as soon as the money arrives."
        ),
    },
    {
        "slug": "justify-certification-to-employer",
        "topic": "employers",
        "position": 10,
        "question": "How do I make the case to my employer for paying for it?",
        "answer": (
            "Present it as an investment in how the team operates. A credential built for creative work "
            "shows you can handle the structural problems of running productions, and the templates and "
            "frameworks in Level I and Level II go straight into the team's pre-production, shoot and post "
            "processes.\n\n"
            "Then set the cost against other production training: the whole Bundle is {price:bundle} a "
            "seat. Many people claim it from a professional development budget or their company's training "
            "allowance; the page on paying through your employer covers the invoice and the PO number field."
        ),
    },
    {
        "slug": "buying-seats-for-a-team",
        "topic": "employers",
        "position": 20,
        "question": "Can I buy for several people on my team at once?",
        "answer": (
            "Yes. Choose the number of seats on the order review page before you pay: one seat per person, "
            "all in a single order, a single payment and a single invoice. For teams the Bundle "
            "({price:bundle} a seat) is the option chosen most often, so everyone can progress from Level I "
            "to Level II and work from the same AI Kit. For more than 50 seats, contact the academy."
        ),
    },
    {
        "slug": "what-the-bundle-includes",
        "topic": "buying",
        "position": 10,
        "question": "What does the Bundle include, and how much does it save?",
        "answer": (
            "The CPMA Bundle holds both certifications (Level I and Level II) plus two kits: the Project "
            "Manager Resume Kit and the Creative PM AI Kit. Bought one by one they come to {separate_value:bundle}; the Bundle costs "
            "{price:bundle}, which saves you {savings:bundle} ({savings_percent:bundle})."
        ),
    },
    {
        "slug": "what-happens-after-payment",
        "topic": "buying",
        "position": 20,
        "question": "What happens after I pay?",
        "answer": (
            "Stripe takes the payment and sends you back to a confirmation page. We then email you an order "
            "confirmation with your order reference, what you bought and how many seats, and a link to your "
            "purchases page (/purchases/ on this site), where each course says how to get in and each kit "
            "has its files.\n\n"
            "You hold the first seat of everything you bought. On a team order, give each other seat to a "
            "colleague on the purchases page, by name and email address, or send them the seat's claim link; "
            "each person gets their own access email. The courses are self-paced, so everyone starts when it "
            "suits them."
        ),
    },
    {
        "slug": "getting-into-the-course",
        "topic": "buying",
        "position": 22,
        "question": "How do I get into the course once I have paid?",
        "answer": (
            "Through your purchases page. The order confirmation email links to it; you can also go to "
            "/purchases/ on this site and ask for a sign-in link, which is sent to the email address you "
            "paid with. Each course you hold a seat for shows its access instructions there: where the "
            "course lives and how to start.\n\n"
            "A colleague you gave a seat to gets the same instructions in their own access email and on "
            "their own purchases page, signed in with their own address."
        ),
    },
    {
        "slug": "how-long-access-lasts",
        "topic": "buying",
        "position": 24,
        "question": "How long does my access last?",
        "answer": (
            "Nothing on this shop runs out: a seat stays on your purchases page for as long as the order "
            "stands, and only a refund ends it. Kit files can be downloaded again whenever you need them; "
            "each visit to the purchases page gives fresh download links.\n\n"
            "The Level I certificate, once you pass the exam, never expires. How long the course itself "
            "stays open to you is set out in the access instructions on your purchases page."
        ),
    },
    {
        "slug": "upgrading-from-level-i",
        "topic": "buying",
        "position": 26,
        "question": "I bought Level I. Can I upgrade to the Bundle?",
        "answer": (
            "Yes: you complete the Bundle and pay only for what you do not have yet. Sign in on your "
            "purchases page with the email address you bought Level I with. The Bundle's page then shows "
            "your price: the Bundle's {price:bundle} less what you paid for Level I (listed today at "
            "{price:level-i}), with the arithmetic, before you pay.\n\n"
            "The same goes for any other part of the Bundle you bought on its own, as long as you paid for "
            "it yourself within the past year. The offer is for your own seat; seats for a team are bought "
            "at the listed price."
        ),
    },
    {
        "slug": "vat-and-sales-tax",
        "topic": "buying",
        "position": 35,
        "question": "Do you charge VAT or sales tax?",
        "answer": (
            "VAT is charged where the law requires it (for example to consumers in the UK and the EU), worked "
            "out by Stripe from your billing address. The product pages and the order review page say "
            "whether the price includes it, and Stripe's payment page shows the tax before you pay. A "
            "business with a valid EU or UK VAT number enters it when paying and usually pays no VAT: the "
            "invoice then says reverse charge. If your company's accounts need its tax ID on the invoice, it "
            "is printed there: accounts payable confirm it on a payment request, and a card buyer enters it "
            "when paying."
        ),
    },
    {
        "slug": "receipts",
        "topic": "buying",
        "position": 30,
        "question": "Will I get a receipt for my expenses claim?",
        "answer": (
            "Yes. Every order has an invoice, issued through Stripe, that you can download as a PDF: it "
            "shows the order reference, the products, the number of seats and the amount. It also carries "
            "your company's name, tax ID and billing address, confirmed by accounts payable when your company "
            "pays by a payment request or entered when you pay by card yourself, and the PO number or cost "
            "centre if one was given on our order review page. Whoever pays gets a receipt, and the order "
            "confirmation email lists the same order details."
        ),
    },
    {
        "slug": "refund-guarantee",
        "topic": "buying",
        "position": 40,
        "question": "Can I get my money back?",
        "answer": (
            "Yes. Every order comes with a five-day guarantee: ask within five days of paying and the whole "
            "amount is refunded, with no questions asked. The refund policy page says exactly what it "
            "covers."
        ),
    },
    {
        "slug": "exam-retakes-and-pass-mark",
        "topic": "buying",
        "position": 50,
        "question": "What if I fail the Level I exam? What is the pass mark?",
        "answer": (
            "For Level I you need 70% to pass. Retakes are free and unlimited, so you can take the exam again "
            "as often as you need. Once you pass, the digital certificate arrives by email, and it never "
            "expires."
        ),
    },
]
