"""Splitting checkout into checkout, payments and invoicing moved models, not data: a database built at the
layout before the split, holding orders, payments, refunds, disputes, payouts, webhook events, payment
requests and seats, migrates forward with every row in place, the same money in every table, staff
permissions still given, and back again."""

import datetime as dt

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from payments import tasks
from tests.migrating import latest, migrate_to

BEFORE_SPLIT = [
    ("checkout", "0009_payment_requests"),
    ("payments", None),
    ("invoicing", None),
]
STAFF_GROUP = "Split test staff"
# Table -> the money column summed on both sides (None: rows counted only).
TABLES = {
    "checkout_order": "total_cents",
    "checkout_orderline": "amount_cents",
    "checkout_payment": "amount_cents",
    "checkout_refund": "amount_cents",
    "checkout_dispute": "amount_cents",
    "checkout_payout": "amount_cents",
    "checkout_payoutline": "net_cents",
    "checkout_stripeevent": None,
    "checkout_paymentrequest": "amount_due_cents",
    "access_grant": None,
}


def _figures() -> dict[str, tuple[int, int]]:
    figures = {}
    with connection.cursor() as cursor:
        for table, column in TABLES.items():
            total = f"coalesce(sum({column}), 0)" if column else "0"
            cursor.execute(f"select count(*), {total} from {table}")  # noqa: S608  (names from TABLES)
            figures[table] = tuple(cursor.fetchone())
    return figures


def _fill(apps) -> None:
    """A small shop at the old layout: every moved model has rows, with money in them, and a staff group may
    view payments."""
    now = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="checkout", model="payment"
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_payment", defaults={"name": "Can view payment"}
    )
    apps.get_model("auth", "Group").objects.create(name=STAFF_GROUP).permissions.add(permission)
    Product = apps.get_model("catalog", "Product")
    Order = apps.get_model("checkout", "Order")
    OrderLine = apps.get_model("checkout", "OrderLine")
    Grant = apps.get_model("access", "Grant")
    product = Product.objects.create(
        name="Level I", slug="split-level-1", kind="course", tagline="t", description="d", audience="a",
        price_cents=29700, currency="USD",
    )  # fmt: skip
    for number in range(1, 4):
        order = Order.objects.create(
            reference=f"CPMA-9{number:05d}", token=f"{number:032x}", status="paid", currency="USD",
            email=f"buyer{number}@example.com", subtotal_cents=29700 * number, total_cents=29700 * number,
            stripe_session_id=f"cs_split_{number}", paid_at=now,
        )  # fmt: skip
        line = OrderLine.objects.create(
            order=order, product=product, product_slug=product.slug, product_name=product.name,
            unit_price_cents=29700, quantity=number, amount_cents=29700 * number,
        )  # fmt: skip
        for seat in range(1, number + 1):
            Grant.objects.create(
                order=order, line=line, seat=seat, product=product, token=f"g{number}{seat:030d}"
            )
        apps.get_model("checkout", "Payment").objects.create(
            order=order, stripe_session_id=f"cs_split_{number}", status="succeeded",
            amount_cents=29700 * number, currency="USD", paid_at=now, fee_cents=900, net_cents=29700 * number - 900,
        )  # fmt: skip
        apps.get_model("checkout", "StripeEvent").objects.create(
            event_id=f"evt_split_{number}",
            type="checkout.session.completed",
            order=order,
            payload={"n": number},
        )
    first = Order.objects.get(reference="CPMA-900001")
    apps.get_model("checkout", "Refund").objects.create(
        order=first,
        stripe_refund_id="re_split",
        amount_cents=10000,
        currency="USD",
        status="succeeded",
        created=now,
    )
    apps.get_model("checkout", "Dispute").objects.create(
        order=first,
        stripe_dispute_id="dp_split",
        amount_cents=29700,
        currency="USD",
        status="lost",
        created=now,
    )
    payout = apps.get_model("checkout", "Payout").objects.create(
        stripe_payout_id="po_split", amount_cents=50000, currency="USD", status="paid", created=now
    )
    apps.get_model("checkout", "PayoutLine").objects.create(
        payout=payout, stripe_balance_transaction_id="txn_split", type="charge", amount_cents=50900,
        fee_cents=900, net_cents=50000, currency="USD", created=now,
    )  # fmt: skip
    apps.get_model("checkout", "PaymentRequest").objects.create(
        order=Order.objects.get(reference="CPMA-900002"), state="issued", token_hash="a" * 64,
        buyer_name="B", buyer_email="b@example.com", payer_name="P", payer_email="p@example.com",
        company_name="Studio", billing_country="GB", stripe_invoice_id="in_split", amount_due_cents=59400,
        currency="USD",
    )  # fmt: skip


def _permission_holders(app_label: str, codename: str) -> int:
    from django.contrib.auth.models import Group

    return Group.objects.filter(
        name=STAFF_GROUP, permissions__content_type__app_label=app_label, permissions__codename=codename
    ).count()


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_migrates_to_the_split_apps_with_every_row_and_cent_kept():
    newest = latest()
    try:
        _fill(migrate_to(BEFORE_SPLIT))
        queued = tasks.sync_order.enqueue(1, "staff:test")  # a task waiting under its name before the split
        DBTaskResult.objects.filter(pk=queued.id).update(task_path="checkout.tasks.sync_order")
        before = _figures()
        assert all(count > 0 for count, _ in before.values())  # every table really holds rows
        assert _permission_holders("checkout", "view_payment") == 1  # the staff group, before the split

        apps = migrate_to(newest)

        assert _figures() == before
        # The moved models read the same rows through their new apps.
        assert apps.get_model("payments", "Refund").objects.get().amount_cents == 10000
        assert (
            apps.get_model("payments", "Payment")
            .objects.filter(order__reference="CPMA-900003")
            .get()
            .fee_cents
            == 900
        )
        assert apps.get_model("invoicing", "PaymentRequest").objects.get().order.reference == "CPMA-900002"
        assert apps.get_model("payments", "PayoutLine").objects.get().payout.stripe_payout_id == "po_split"
        # Staff permissions followed their models to the new apps.
        assert _permission_holders("payments", "view_payment") == 1
        assert _permission_holders("checkout", "view_payment") == 0
        # The queued task now carries the name it has in the new layout.
        assert DBTaskResult.objects.get(pk=queued.id).task_path == "payments.tasks.sync_order"

        migrate_to(BEFORE_SPLIT)  # and back: nothing is dropped either way

        assert _figures() == before
        assert _permission_holders("checkout", "view_payment") == 1
    finally:
        migrate_to(newest)
