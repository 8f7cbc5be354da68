"""Money movements and payouts: every payment, fee, refund and dispute movement on its own date, and
payouts whose rows add up to the payout."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from finance.payouts import payout_summaries
from finance.transactions import HEADER, TransactionFilter, rows
from payments.models import Payout
from tests.checkout.conftest import completed_event
from tests.finance.conftest import read_csv, streamed_text
from tests.stripe_fake import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(catalog, buy, fake_stripe, deliver_event):
    response, order = buy("level-i", 2)
    assert response.status_code == 303
    deliver_event(completed_event(fake_stripe, order))
    order.refresh_from_db()
    return order


def export(**filters) -> list[dict[str, str]]:
    lines = [",".join(row) for row in rows(TransactionFilter(**filters))]
    return read_csv("\n".join(lines))


def test_a_payment_and_its_fee_are_two_movements_with_their_stripe_ids(paid_order, fake_stripe):
    charge = fake_stripe.charge_for(paid_order.stripe_session_id)
    fee = fake_stripe.balance_transactions[charge["balance_transaction"]]["fee"]

    movements = export()

    assert [m["type"] for m in movements] == ["payment", "stripe_fee"]
    payment, stripe_fee = movements
    assert payment["amount"] == str(paid_order.total_cents // 100) + ".00"
    assert stripe_fee["amount"] == f"-{fee // 100}.{fee % 100:02d}"
    assert payment["stripe_charge_id"] == charge["id"]
    assert payment["stripe_balance_transaction_id"] == charge["balance_transaction"]
    assert payment["order_reference"] == paid_order.reference


def test_refunds_and_disputes_are_negative_movements_on_their_own_dates(
    paid_order, fake_stripe, deliver_event
):
    refund = fake_stripe.refund(paid_order.stripe_session_id, amount=1000)
    deliver_event(make_event("refund.created", refund))
    dispute = fake_stripe.dispute(paid_order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    deliver_event(make_event("charge.dispute.closed", fake_stripe.close_dispute(dispute["id"], won=True)))

    by_type = {m["type"]: m for m in export()}

    assert by_type["refund"]["amount"] == "-10.00"
    assert by_type["refund"]["stripe_refund_id"] == refund["id"]
    # A refund names the payment intent it gave money back from, as its payment does.
    assert by_type["refund"]["stripe_payment_intent_id"] == paid_order.stripe_payment_intent_id != ""
    assert by_type["refund"]["stripe_payment_intent_id"] == by_type["payment"]["stripe_payment_intent_id"]
    assert by_type["dispute_withdrawal"]["amount"].startswith("-")
    assert by_type["dispute_reinstatement"]["stripe_dispute_id"] == dispute["id"]


def test_the_period_filters_on_the_movement_date(paid_order):
    today = dt.datetime.now(dt.UTC).date()

    assert export(since=today + dt.timedelta(days=1)) == []
    assert len(export(since=today, until=today + dt.timedelta(days=1))) == 2
    assert export(currency="EUR") == []


def test_a_payout_adds_up_to_its_movements(paid_order, fake_stripe, deliver_event):
    refund = fake_stripe.refund(paid_order.stripe_session_id, amount=500)
    deliver_event(make_event("refund.created", refund))
    payout = fake_stripe.payout()

    deliver_event(make_event("payout.paid", payout))

    record = Payout.objects.get()
    assert record.amount_cents == payout["amount"]
    assert record.lines.count() == 2  # the charge and the refund
    (summary,) = payout_summaries()
    assert summary.difference_cents == 0
    movements = export()
    paid_out = [m for m in movements if m["stripe_payout_id"] == payout["id"]]
    assert len(paid_out) == 3  # payment, its fee, the refund
    total = sum(int(m["amount"].replace(".", "")) for m in paid_out)
    assert total == payout["amount"]


def test_an_unrecorded_dispute_fee_shows_as_a_difference_on_the_payouts_page(
    paid_order, fake_stripe, deliver_event, admin_client
):
    dispute = fake_stripe.dispute(paid_order.stripe_session_id)
    deliver_event(make_event("charge.dispute.created", dispute))
    payout = fake_stripe.payout()
    deliver_event(make_event("payout.paid", payout))

    (summary,) = payout_summaries()
    page = admin_client.get(reverse("finance:payouts")).content.decode()

    assert summary.difference_cents == -1500  # Stripe's dispute fee, which we do not record
    assert payout["id"] in page and "-$15" in page


def test_reconcile_records_payouts_without_events(paid_order, fake_stripe):
    payout = fake_stripe.payout()
    out = io.StringIO()

    call_command("reconcile_stripe", stdout=out)

    assert f"payout {payout['id']}: paid, 1 transactions" in out.getvalue()
    assert Payout.objects.get().lines.count() == 1


def test_export_page_and_command_write_the_same_file(paid_order, admin_client):
    today = dt.datetime.now(dt.UTC).date()
    period = {"since": today.isoformat(), "until": (today + dt.timedelta(days=1)).isoformat()}
    out = io.StringIO()

    response = admin_client.post(reverse("finance:export_transactions"), period)
    call_command(
        "export_transactions", f"--since={period['since']}", f"--until={period['until']}", stdout=out
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="transactions-from-')
    assert streamed_text(response) == out.getvalue()
    assert out.getvalue().startswith(",".join(HEADER))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since=2026-02-01", "--until=2026-01-01"], "must be a later day"),
        (["--since=1900-01-01", "--until=2026-01-01"], "between"),
        (["--since=2000-01-01", "--until=2026-01-01"], "at most 10 years"),
        (["--since=nope", "--until=2026-01-01"], "Enter a valid date"),
    ],
)
def test_bad_transaction_filters_are_clear_errors(db, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("export_transactions", *args, stdout=io.StringIO())

    assert message in str(caught.value)
    assert caught.value.returncode == 2


def test_the_payouts_page_downloads_as_csv_one_row_per_transaction(
    paid_order, fake_stripe, deliver_event, admin_client
):
    refund = fake_stripe.refund(paid_order.stripe_session_id, amount=500)
    deliver_event(make_event("refund.created", refund))
    payout = fake_stripe.payout()
    deliver_event(make_event("payout.paid", payout))

    page = admin_client.get(reverse("finance:payouts")).content.decode()
    response = admin_client.get(reverse("finance:payouts"), {"format": "csv"})

    assert 'href="?format=csv"' in page
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="payouts-')
    lines = read_csv(streamed_text(response))
    assert sorted(line["transaction_type"] for line in lines) == ["charge", "refund"]  # one row each
    assert all(line["stripe_payout_id"] == payout["id"] for line in lines)
    assert sum(int(line["net_at_stripe"].replace(".", "")) for line in lines) == payout["amount"]
    assert all(line["our_records"] == line["net_at_stripe"] for line in lines)
    assert {line["order_reference"] for line in lines} == {paid_order.reference}


def test_the_payouts_csv_needs_the_export_permission(paid_order, client, settings):
    from django.contrib.auth.models import Permission

    from tests.factories import make_staff

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)

    assert client.get(reverse("finance:payouts")).status_code == 200
    assert "format=csv" not in client.get(reverse("finance:payouts")).content.decode()
    assert client.get(reverse("finance:payouts"), {"format": "csv"}).status_code == 403
