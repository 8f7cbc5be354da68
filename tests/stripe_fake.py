"""The fake Stripe API the tests use. It lives in stripe_sandbox/ (the local sandbox `make run` starts is
built on it); the tests import it from here.

As a standalone API server without webhooks (scripts/bench_pages.sh), printing its URL on the first line:

    python -m tests.stripe_fake --port 0
"""

from stripe_sandbox.events import make_charge, make_event, sign_payload
from stripe_sandbox.fake import FakeStripe, RecordedRequest, main
from stripe_sandbox.params import decode_form, parameter_problems

__all__ = [
    "FakeStripe",
    "RecordedRequest",
    "decode_form",
    "make_charge",
    "make_event",
    "parameter_problems",
    "sign_payload",
]

if __name__ == "__main__":
    main()
