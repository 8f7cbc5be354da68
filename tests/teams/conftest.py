"""Fixtures for team seat tests: the same as access's (a paid order, a signed-in buyer, a private MEDIA_ROOT
and a clean cache, checkout's fake Stripe and task runner), since seats are handed out on paid orders."""

from tests.access.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    paid_order,
    private_media,
    run_ready_tasks,
    run_tasks,
    sign_in,
    stripe_server,
)
