"""Asking first: an unticked box on the review page, stored with its wording and time; a session started
with it asks Stripe for a recovery link and ends sooner."""

import html
import time

import pytest
from django.urls import reverse

from checkout.models import Order
from recovery.consent import CONSENT_TEXT, CONSENT_VERSION
from recovery.models import RecoveryConsent

pytestmark = pytest.mark.django_db


def test_review_page_offers_the_reminder_box_unticked(client, catalog, fake_stripe):
    page = html.unescape(client.get(reverse("checkout:review", args=["level-i"])).content.decode())

    assert CONSENT_TEXT in page
    box = page[page.index('name="recovery_consent"') - 40 : page.index(CONSENT_TEXT)]
    assert "checked" not in box
    assert 'name="recovery_email"' in page


def test_a_ticked_box_is_stored_with_its_wording_time_and_the_normalised_address(start, fake_stripe):
    order = start(consent=True, email="  Producer@Example.COM ")

    consent = RecoveryConsent.objects.get(order=order)
    assert consent.email == "producer@example.com"
    assert consent.text_version == CONSENT_VERSION
    assert abs(consent.consented_at.timestamp() - time.time()) < 60


def test_a_session_started_with_consent_asks_for_a_recovery_link_and_ends_sooner(
    start, fake_stripe, settings
):
    settings.CHECKOUT_SESSION_MINUTES = 45
    start(consent=True)

    form = fake_stripe.session_requests()[-1].form
    assert form["after_expiration"] == {"recovery": {"enabled": "true", "allow_promotion_codes": "false"}}
    assert abs(int(form["expires_at"]) - (time.time() + 45 * 60)) < 60


def test_promotion_codes_on_the_recovered_session_follow_the_setting(start, fake_stripe, settings):
    settings.RECOVERY_ALLOW_PROMOTION_CODES = True
    start(consent=True)

    assert (
        fake_stripe.session_requests()[-1].form["after_expiration"]["recovery"]["allow_promotion_codes"]
        == "true"
    )


def test_without_the_box_nothing_is_stored_and_the_session_is_the_usual_one(start, fake_stripe):
    order = start(consent=False)

    form = fake_stripe.session_requests()[-1].form
    assert "after_expiration" not in form
    assert "expires_at" not in form
    assert not RecoveryConsent.objects.filter(order=order).exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "x" * 300 + "@example.com"])
def test_a_ticked_box_without_a_usable_address_is_refused_before_any_order(
    client, fake_stripe, catalog, email
):
    response = client.post(
        reverse("checkout:start"),
        {
            "digital_consent": "on",
            "product": "level-i",
            "quantity": 1,
            "recovery_consent": "yes",
            "recovery_email": email,
        },
    )

    assert response.status_code == 400
    assert "enter the email address" in response.content.decode()
    assert not Order.objects.exists()
    assert fake_stripe.session_requests() == []


def test_consenting_twice_for_one_order_keeps_one_consent(start, fake_stripe):
    first = start(consent=True)
    second = start(consent=True)  # the same browser's second Pay click reuses the order

    assert first.pk == second.pk
    assert RecoveryConsent.objects.filter(order=first).count() == 1


def test_unticking_on_a_second_pay_withdraws_the_consent_of_the_first(start, fake_stripe):
    first = start(consent=True)
    second = start(consent=False)  # the same browser, back on the review page, unticked this time

    assert first.pk == second.pk
    assert not RecoveryConsent.objects.filter(order=first).exists()


def test_the_hint_says_how_long_the_page_stays_open_and_at_most_once(client, catalog, fake_stripe, settings):
    settings.CHECKOUT_SESSION_MINUTES = 45
    page = html.unescape(client.get(reverse("checkout:review", args=["level-i"])).content.decode())
    assert "stays open for 45 minutes" in page and "at most once" in page

    settings.CHECKOUT_SESSION_MINUTES = 120
    page = html.unescape(client.get(reverse("checkout:review", args=["level-i"])).content.decode())
    assert "stays open for 2 hours" in page
    assert "we send one email" not in page  # untrue: the holdout and the window send none
