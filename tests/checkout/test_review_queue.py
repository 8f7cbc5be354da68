"""The review queue: flagged orders stand out in admin, finance is told, and staff resolve with a note."""

import pytest
from django.core import mail
from django.urls import reverse

from checkout.models import Order
from tests.checkout.conftest import completed_event
from tests.factories import make_staff


@pytest.fixture
def flagged_order(catalog, buy, fake_stripe, deliver_event, settings):
    settings.FINANCE_ALERT_EMAIL = "finance@example.com"
    response, order = buy("level-i")
    assert response.status_code == 303
    deliver_event(completed_event(fake_stripe, order, amount_total=100))  # Stripe says $1, we expect more
    order.refresh_from_db()
    assert order.needs_review
    return order


@pytest.fixture
def finance_client(client, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(make_staff("money", group="Finance"))
    return client


def test_a_flag_is_written_as_money_and_announced_to_finance_once(flagged_order, deliver_event, fake_stripe):
    from tests.stripe_fake import make_event

    alerts = [m for m in mail.outbox if m.to == ["finance@example.com"]]
    assert len(alerts) == 1
    assert flagged_order.reference in alerts[0].subject
    assert "total $1 in USD" in alerts[0].body
    assert "total 100" not in flagged_order.review_reason

    # The same problem seen again (a redelivery with another event id) is not announced twice.
    session = fake_stripe.sessions[flagged_order.stripe_session_id]
    deliver_event(make_event("checkout.session.async_payment_succeeded", session))
    assert len([m for m in mail.outbox if m.to == ["finance@example.com"]]) == 1


def test_no_alert_address_means_no_alert_email(catalog, buy, fake_stripe, deliver_event, settings):
    settings.FINANCE_ALERT_EMAIL = ""
    _, order = buy("level-i")

    deliver_event(completed_event(fake_stripe, order, amount_total=100))

    assert Order.objects.get(pk=order.pk).needs_review
    assert mail.outbox == []


def test_flagged_orders_are_a_column_a_filter_and_a_count_on_the_admin_home(flagged_order, finance_client):
    listing = finance_client.get(reverse("admin:checkout_order_changelist")).content.decode()
    filtered = finance_client.get(reverse("admin:checkout_order_changelist"), {"needs_review__exact": "1"})
    home = finance_client.get(reverse("admin:index")).content.decode()

    assert "Needs review" in listing
    assert flagged_order.reference in filtered.content.decode()
    assert "1 order needs review" in home


def test_the_detail_page_shows_the_flag_as_words_not_a_green_tick(flagged_order, finance_client):
    page = finance_client.get(
        reverse("admin:checkout_order_change", args=[flagged_order.pk])
    ).content.decode()

    assert "Needs review" in page and "Resolve with a note" in page
    assert 'icon-yes.svg" alt="True"' not in page


def test_resolving_needs_a_note_and_keeps_it_in_the_history(flagged_order, finance_client):
    url = reverse("admin:checkout_order_resolve", args=[flagged_order.pk])

    empty = finance_client.post(url, {"note": "   "})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    assert Order.objects.get(pk=flagged_order.pk).needs_review

    done = finance_client.post(url, {"note": "Stripe test amount; refunded by hand."})

    assert done.status_code == 302
    order = Order.objects.get(pk=flagged_order.pk)
    assert not order.needs_review and order.review_reason == ""
    entry = order.history.get(kind="review resolved")
    assert "refunded by hand" in entry.message and entry.source == "staff:money"


def test_catalogue_editors_cannot_resolve(flagged_order, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(make_staff("editor", group="Catalogue editors"))

    response = client.post(reverse("admin:checkout_order_resolve", args=[flagged_order.pk]), {"note": "x"})

    assert response.status_code == 403
    assert Order.objects.get(pk=flagged_order.pk).needs_review
