"""PostgreSQL out of reach for 15 s in the middle of a burst of payments: the worker keeps running, and
once the database is back every order is paid and its confirmation sent, with nobody restarting anything.

The worker process reaches PostgreSQL through a proxy the test cuts (tests.common.test_worker_outages);
the webhook keeps recording events on the direct connection meanwhile, as the app servers would."""

import json
import time

import pytest
from django.db import connection

from checkout.models import Order
from tests.checkout.conftest import WEBHOOK_SECRET, completed_event, signed_post
from tests.common.test_worker_outages import CuttableProxy, database_url, start_worker, stop, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs PostgreSQL"),
]

ORDERS = 20


def test_every_order_is_paid_and_emailed_after_a_15_second_database_outage(
    client, catalog, buy, fake_stripe, tmp_path
):
    orders = []
    for _ in range(ORDERS):
        client.cookies.clear()  # a new browser each time (one browser's second Pay reuses its order)
        response, order = buy("level-i", 1)
        assert response.status_code == 303
        orders.append(order)
    events = [completed_event(fake_stripe, order) for order in orders]
    proxy = CuttableProxy(("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
    worker = start_worker(
        database_url(proxy.port),
        EMAIL_URL=f"filemail:///{tmp_path}",
        # Runs the outage cut short are run again after their lease: a short one keeps the test short.
        TASK_LEASE_SECONDS="5",
        STRIPE_SECRET_KEY="sk_test_fake_secret_key",
        STRIPE_PUBLISHABLE_KEY="pk_test_fake_publishable_key",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake_stripe.url,
    )
    paid = Order.objects.filter(pk__in=[o.pk for o in orders], status=Order.Status.PAID)
    try:
        for event in events[: ORDERS // 2]:
            assert signed_post(client, json.dumps(event).encode()).status_code == 200
        assert wait_for(lambda: paid.exists(), 60), stop(worker)

        proxy.cut()
        for event in events[ORDERS // 2 :]:
            assert signed_post(client, json.dumps(event).encode()).status_code == 200
        time.sleep(15)
        assert worker.poll() is None, "the worker died with its database connection"
        proxy.restore()

        def emailed() -> set[str]:
            sent = "".join(path.read_text() for path in tmp_path.iterdir())
            return {
                o.reference for o in orders if f"Subject: Your CPMA order {o.reference} is confirmed" in sent
            }

        assert wait_for(lambda: paid.count() == ORDERS and len(emailed()) == ORDERS, 120), (
            sorted(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("reference", "status")),
            sorted(emailed()),
        )
    finally:
        output = stop(worker)
        proxy.close()
    assert "database unavailable" in output
