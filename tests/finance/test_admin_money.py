"""Admin shows money as money: every amount column and read-only amount carries its currency, never raw
cents (payments, refunds, disputes, payouts and their lines, payment requests)."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from catalog.money import format_money
from payments.models import Dispute, Payout, PayoutLine
from tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def test_no_admin_lists_or_shows_a_cents_field_raw():
    raw = []
    for model, model_admin in admin.site._registry.items():
        for inline in [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]:
            for attribute in ("list_display", "readonly_fields", "fields"):
                names = [n for n in (getattr(inline, attribute, None) or []) if isinstance(n, str)]
                raw += [f"{type(inline).__name__}.{attribute}: {n}" for n in names if n.endswith("_cents")]
    assert raw == []


@pytest.fixture
def superuser_client(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.com", "pw-long-enough")
    )
    return client


def test_an_orders_page_shows_its_payment_refund_and_dispute_as_money(superuser_client):
    order = make_order(
        [(make_product(price_cents=123456, currency="EUR"), 1)],
        status="partially_refunded",
        amount_refunded_cents=2550,
        fee_cents=3704,
    )
    Dispute.objects.create(
        order=order,
        stripe_dispute_id="dp_1",
        amount_cents=7701,
        currency="EUR",
        status="needs_response",
        created=order.paid_at,
    )
    page = superuser_client.get(reverse("admin:checkout_order_change", args=[order.pk])).content.decode()

    for cents in (123456, 2550, 3704, 123456 - 3704, 7701):
        assert format_money(cents, "EUR") in page
    assert not re.search(r">\s*123456\s*<", page)


def test_payouts_show_money(superuser_client):
    payout = Payout.objects.create(
        stripe_payout_id="po_1",
        amount_cents=98765,
        currency="GBP",
        status="paid",
        arrival_date=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        created=dt.datetime(2026, 2, 27, tzinfo=dt.UTC),
    )
    PayoutLine.objects.create(
        payout=payout,
        stripe_balance_transaction_id="txn_1",
        type="charge",
        source_id="ch_1",
        amount_cents=100000,
        fee_cents=1235,
        net_cents=98765,
        currency="GBP",
        created=dt.datetime(2026, 2, 20, tzinfo=dt.UTC),
    )
    listing = superuser_client.get(reverse("admin:payments_payout_changelist")).content.decode()
    detail = superuser_client.get(reverse("admin:payments_payout_change", args=[payout.pk])).content.decode()

    assert "£987.65" in listing
    assert all(text in detail for text in ("£987.65", "£1,000", "£12.35"))


def test_a_converted_payment_shows_its_fee_and_settlement_in_the_settlement_currency(superuser_client):
    from decimal import Decimal

    from payments.models import Payment, Refund

    order = make_order(
        [(make_product(price_cents=10001, currency="GBP"), 1)],
        status="partially_refunded",
        amount_refunded_cents=1000,
        tax_cents=2000,
        fee_cents=393,
    )
    Payment.objects.filter(order=order).update(
        settlement_cents=15001, settlement_currency="USD", exchange_rate=Decimal("1.25"), net_cents=14608
    )
    Refund.objects.filter(order=order).update(tax_cents=167, settlement_cents=1250, settlement_currency="USD")

    page = superuser_client.get(reverse("admin:checkout_order_change", args=[order.pk])).content.decode()

    for text in ("£120.01", "$150.01", "$3.93", "$146.08", "1.25", "£10", "£1.67", "$12.50"):
        assert text in page, text
    assert "1.2500000000" not in page
