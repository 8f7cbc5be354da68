"""Run the local Stripe sandbox beside a development server (`make run` does, when no Stripe key is set):

    DEBUG=true STRIPE_WEBHOOK_SECRET=whsec_... \\
        python -m stripe_sandbox --port 12111 --webhook-url http://127.0.0.1:8000/stripe/webhook/

It serves the Stripe API the shop uses and the payment page on 127.0.0.1 only, prints its URL on the first
line, and sends the events its test cards cause to the webhook URL, signed with STRIPE_WEBHOOK_SECRET (the
same secret the shop checks them with). It refuses to start unless DEBUG is on: it is never for production.
"""

import argparse
import os
import sys
from collections.abc import Mapping

from stripe_sandbox.fake import FakeStripe, serve_until_stopped
from stripe_sandbox.webhooks import WebhookSender

# The same spellings config/settings.py reads as "on"; anything else (unset included) is off here.
DEBUG_ON = {"true", "yes", "on", "1"}


class Refused(SystemExit):
    """The sandbox will not start; the message says why."""


def check_environment(environ: Mapping[str, str]) -> str:
    """The webhook signing secret, once the environment allows the sandbox to run at all."""
    if environ.get("DEBUG", "").strip().lower() not in DEBUG_ON:
        raise Refused(
            "The Stripe sandbox runs only beside a development server (DEBUG=true, as `make run` sets). "
            "It is never for production: there, set your Stripe account's keys."
        )
    secret = environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
    if not secret.startswith("whsec_"):
        raise Refused(
            "Set STRIPE_WEBHOOK_SECRET (whsec_…), the secret the shop checks the sandbox's webhooks with."
        )
    return secret


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> None:
    parser = argparse.ArgumentParser(prog="python -m stripe_sandbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=12111, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--webhook-url", required=True, help="the shop's webhook endpoint")
    args = parser.parse_args(argv)
    secret = check_environment(environ)

    def log(line: str) -> None:
        print(f"[stripe sandbox] {line}", flush=True)

    webhooks = WebhookSender(args.webhook_url, secret, log=log)
    fake = FakeStripe(hosted_origin="self", webhooks=webhooks, invoice_pages=True)
    try:
        fake.start(port=args.port)
    except OSError as error:
        webhooks.stop()
        raise Refused(
            f"The Stripe sandbox cannot listen on 127.0.0.1:{args.port} ({error.strerror}); "
            "choose another port with STRIPE_SANDBOX_PORT."
        ) from None
    print(fake.url, flush=True)
    log(f"payment pages and API at {fake.url} (overview at {fake.url}/); webhooks to {args.webhook_url}")
    serve_until_stopped(fake)


if __name__ == "__main__":
    sys.exit(main())
