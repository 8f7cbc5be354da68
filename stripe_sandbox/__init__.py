"""A local Stripe sandbox: the fake Stripe API the test suite uses, a payment page with test card buttons
and signed webhook delivery. `make run` starts it with `python -m stripe_sandbox` when no Stripe key is set.
It imports no app of the shop, only the standard library and the stripe library (whose parameter types it
checks requests against).

Its modules, each importing only those below it:

    __main__.py      the command line (`python -m stripe_sandbox`)
    fake.py          FakeStripe: the state, its HTTP server and the controls tests play Stripe's side with
    server.py        the HTTP handler: `/v1/` to the API, everything else to the buyer's pages
    api.py           the route table, idempotency and parameter checks, reads of stored objects
    checkout_page.py the buyer's requests: payment page, 3-D Secure step, invoice pages, refunds
    money_pages.py   the HTML of invoice pages and the overview's invoices and payments (refund controls)
    hosted.py        the payment page's HTML and the overview's; buyer.py what a test card does
    sessions.py      Checkout Sessions
    customers.py     customers and their cash balance
    invoices.py      invoices, after a session and on terms
    refunds.py       refunds (and credit notes, when they come)
    payments.py      payment intents, charges, balance transactions, payouts, disputes
    state.py         the store every module above changes: objects, requests, events, the lock
    webhooks.py      signed webhook delivery with retries; events.py the event envelope and signature
    params.py        Stripe's form encoding and the check against the stripe library's parameter types
"""
