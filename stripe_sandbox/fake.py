"""A small fake of the Stripe API: the test suite's Stripe, and the heart of the local sandbox `make run`
starts when no Stripe key is set (`python -m stripe_sandbox`, which adds webhooks and refuses DEBUG off).

The app talks to it through the real stripe library (settings.STRIPE_API_BASE = fake.url); nothing in the
library is patched. It serves the endpoints the app uses in Stripe's JSON shapes (the route table is
api.py, each handler with its resource: sessions, customers, invoices, refunds, payments, credit notes),
honouring Idempotency-Key, `expand[]` and list filters as Stripe does, and, for the buyer's browser, the
payment page a session's `url` opens (`GET /c/pay/<session id>`: checkout_page.py, buyer.py) and an
overview at `/` (hosted.py). Every API request is checked against the stripe library's own parameter types
(`SessionCreateParams`, `RefundListParams` and so on): an unknown or missing parameter gets Stripe's 400
`invalid_request_error`, so a request the fake accepts is one Stripe itself would accept.

Behind a paid session the fake keeps what Stripe keeps: a PaymentIntent, its Charge and the Charge's balance
transaction (with a fee; pounds and euros settle in dollars at the fixed rates of payments.py), and refunds
and disputes made with `refund()` and `dispute()`. All of it is held in a Store (state.py); FakeStripe is
that store with its HTTP server (server.py), and its controls below are the resource modules' functions.

Usage:

    fake = FakeStripe().start()            # binds 127.0.0.1 on an ephemeral port; fake.url
    ...                                    # point STRIPE_API_BASE at fake.url, drive the app
    fake.requests[-1].form                 # decoded form body; .header("Idempotency-Key"), .path
    fake.fail_next("500")                  # or "timeout", "card_error"; times=n
    session = fake.complete_session(session_id, email="buyer@example.com")   # the buyer paid
    refund = fake.refund(session_id, amount=500)          # staff refunded in Stripe's dashboard
    dispute = fake.dispute(session_id, status="lost")     # the buyer's bank took the money back
    body = json.dumps(make_event("checkout.session.completed", session)).encode()
    client.post("/stripe/webhook/", body, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_payload(body, webhook_secret))
    fake.stop()

With `webhooks=WebhookSender(url, secret)` the events the payment page causes are also POSTed, signed, to
the app (`fake.events` records them either way). The pytest fixtures live in tests/checkout/conftest.py
(`fake_stripe`, `deliver_event`).

`python -m tests.stripe_fake --port 0` serves it alone, without webhooks (scripts/bench_pages.sh), printing
its URL on the first line and serving until interrupted or terminated.
"""

import argparse
import signal
import threading

from stripe_sandbox import customers, invoices, payments, refunds, sessions
from stripe_sandbox.server import _Handler, _QuietServer
from stripe_sandbox.state import RecordedRequest, Store

__all__ = ["FakeStripe", "RecordedRequest", "_Handler", "main", "serve_until_stopped"]


class FakeStripe(Store):
    """A threaded HTTP server on 127.0.0.1 that answers like Stripe's API for Checkout Sessions."""

    # Stripe's side, played by a test: each is its resource module's function, called on this fake.
    complete_session = sessions.complete_session
    settle_async = sessions.settle_async
    expire_session = sessions.expire_session
    set_session = sessions.set_session
    invoice_for = invoices.invoice_for
    pay_invoice = invoices.pay_invoice
    mark_uncollectible = invoices.mark_uncollectible
    fund_cash_balance = customers.fund_cash_balance
    charge_for = payments.charge_for
    payout = payments.payout
    dispute = payments.dispute
    close_dispute = payments.close_dispute
    refund = refunds.refund
    update_refund = refunds.update_refund
    # For tests that change the state by hand (the caller holds `_lock`).
    _invoice = invoices.session_invoice
    _charge = payments.session_charge
    _balance_transaction = payments.balance_transaction
    _refresh_charge = refunds.refresh_charge

    # Lifecycle

    def start(self, port: int = 0) -> "FakeStripe":
        fake = self

        class Handler(_Handler):
            stripe = fake

        self._stopping.clear()
        self._server = _QuietServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-stripe", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        if self.webhooks is not None:
            self.webhooks.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve_until_stopped(fake: FakeStripe) -> None:
    """Keep a started fake serving until SIGTERM or Ctrl-C, then stop it."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the fake Stripe API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    args = parser.parse_args(argv)
    fake = FakeStripe().start(port=args.port)
    print(fake.url, flush=True)
    serve_until_stopped(fake)


if __name__ == "__main__":
    main()
