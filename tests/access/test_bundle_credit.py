"""Completing the Bundle: the rule (access.credit.bundle_offer), where it shows, and that the server, not the
browser, decides the price and spends each credit once. Prices here are the seeded catalogue's, read from
the database (Level I 147, Level II 197, Resume Kit 67, AI Kit 87, Bundle 297 in the launch seed)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from access.bundle_completion import NoOffer, release_bundle_credit, start_bundle_completion
from access.credit import bundle_offer
from access.models import CreditClaim, Grant
from catalog.money import format_money
from checkout.models import Order
from finance.export import ExportFilter, csv_stream
from tests.checkout.conftest import completed_event, run_ready_tasks
from tests.finance.conftest import read_csv
from tests.stripe_fake import make_event

BUYER = "producer@example.com"


@pytest.fixture
def prices(catalog):
    return {slug: product.price_cents for slug, product in catalog.items()}


def offer_for(catalog, email=BUYER):
    return bundle_offer(email=email, bundle=catalog["bundle"])


def test_owning_level_i_pays_the_bundle_less_what_level_i_cost(catalog, prices, paid_order):
    paid_order("level-i", email=BUYER)

    offer = offer_for(catalog)

    assert offer.price_cents == prices["bundle"] - prices["level-i"]  # $150 in the launch seed
    assert offer.credit_cents == prices["level-i"]
    assert [p.slug for p in offer.missing] == ["level-ii", "resume-kit", "ai-kit"]
    assert offer.missing_value_cents == prices["level-ii"] + prices["resume-kit"] + prices["ai-kit"]
    assert "CPMA Level I" in offer.owned_names


def test_owning_both_levels_pays_the_floor_the_cheapest_missing_part(catalog, prices, paid_order):
    paid_order("level-i", email=BUYER)
    paid_order("level-ii", email=BUYER)

    offer = offer_for(catalog)

    # 297 - 344 is below zero; the missing kits cost 154 together; the floor is the cheaper kit, 67.
    assert offer.price_cents == min(prices["resume-kit"], prices["ai-kit"])
    assert offer.price_cents < prices["resume-kit"] + prices["ai-kit"]


def test_owning_all_but_one_kit_makes_no_offer_buy_the_kit(catalog, paid_order):
    for slug in ("level-i", "level-ii", "resume-kit"):
        paid_order(slug, email=BUYER)

    assert offer_for(catalog) is None


def test_owning_everything_or_nothing_makes_no_offer(catalog, paid_order):
    assert offer_for(catalog) is None
    paid_order("bundle", email=BUYER)
    assert offer_for(catalog) is None


def test_a_refunded_component_is_not_owned(catalog, paid_order, fake_stripe, deliver_event):
    order = paid_order("level-i", email=BUYER)
    fake_stripe.refund(order.stripe_session_id)
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))

    assert offer_for(catalog) is None


def test_a_partly_refunded_or_discounted_component_credits_what_was_actually_paid(
    catalog, prices, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, email=BUYER, amount_discount=4700))

    offer = offer_for(catalog)

    assert offer.credit_cents == prices["level-i"] - 4700
    assert offer.price_cents == prices["bundle"] - (prices["level-i"] - 4700)

    fake_stripe.refund(order.stripe_session_id, amount=5000)
    deliver_event(make_event("charge.refunded", fake_stripe.charge_for(order.stripe_session_id)))
    assert offer_for(catalog).credit_cents == prices["level-i"] - 4700 - 5000


def test_tax_is_not_credited(catalog, prices, buy, fake_stripe, deliver_event):
    _, order = buy("level-i")
    deliver_event(completed_event(fake_stripe, order, email=BUYER, amount_tax=1200))

    assert offer_for(catalog).credit_cents == prices["level-i"]


def test_a_component_bought_in_another_currency_is_owned_but_earns_no_credit(catalog, prices, paid_order):
    order = paid_order("level-i", email=BUYER)
    Order.objects.filter(pk=order.pk).update(currency="EUR")

    offer = offer_for(catalog)

    assert offer is not None and offer.credit_cents == 0
    # Owned parts still leave the Bundle price or the missing parts, whichever is lower.
    assert offer.price_cents == min(prices["bundle"], offer.missing_value_cents)


def test_credit_only_counts_purchases_within_the_window(catalog, paid_order, settings):
    order = paid_order("level-i", email=BUYER)
    Order.objects.filter(pk=order.pk).update(
        paid_at=timezone.now() - dt.timedelta(days=settings.BUNDLE_CREDIT_DAYS + 1)
    )

    offer = offer_for(catalog)

    assert offer is None or offer.credit_cents == 0


def test_a_team_seat_held_by_someone_else_gives_the_buyer_no_credit(catalog, prices, paid_order):
    order = paid_order("level-i", quantity=3, email=BUYER)
    colleague_seat = Grant.objects.filter(order=order, seat=2).get()
    Grant.objects.filter(pk=colleague_seat.pk).update(
        holder_email="editor@example.com", state=Grant.State.ACTIVE
    )

    mine = offer_for(catalog)
    theirs = offer_for(catalog, email="editor@example.com")

    assert mine.credit_cents == prices["level-i"]  # one seat's worth, not three
    assert theirs is not None and theirs.credit_cents == 0  # they hold it, someone else paid


def test_the_server_recomputes_the_price_and_a_tampered_form_changes_nothing(
    catalog, prices, paid_order, client, sign_in, fake_stripe
):
    paid_order("level-i", email=BUYER)
    sign_in(BUYER)

    response = client.post(
        reverse("access:complete_bundle"),
        {"product": "bundle", "price_cents": "1", "credit_cents": "99999", "digital_consent": "on"},
    )

    assert response.status_code == 303
    order = Order.objects.filter(lines__adjustment_cents__gt=0).get()
    item = fake_stripe.session_requests()[-1].form["line_items"][0]
    assert int(item["price_data"]["unit_amount"]) == prices["bundle"] - prices["level-i"] == order.total_cents
    assert item["quantity"] == "1"
    assert "completing your Bundle" in item["price_data"]["product_data"]["name"]
    assert fake_stripe.session_requests()[-1].form["customer_email"] == BUYER
    assert order.lines.get().adjustment_sources == [Order.objects.exclude(pk=order.pk).get().reference]


def test_two_tabs_cannot_spend_the_credit_twice_and_an_expired_checkout_gives_it_back(
    catalog, paid_order, fake_stripe, deliver_event
):
    paid_order("level-i", email=BUYER)
    bundle = catalog["bundle"]

    first = start_bundle_completion(email=BUYER, bundle=bundle)
    second = start_bundle_completion(email=BUYER, bundle=bundle)  # another tab: the same open checkout

    assert second.order.pk == first.order.pk
    assert CreditClaim.objects.filter(released_at__isnull=True).count() == 1
    Order.objects.filter(pk=first.order.pk).update(checkout_url="")  # that checkout is gone from the browser
    with pytest.raises(NoOffer, match="already used"):
        start_bundle_completion(email=BUYER, bundle=bundle)

    session = fake_stripe.expire_session(first.order.stripe_session_id)
    deliver_event(make_event("checkout.session.expired", session))

    assert CreditClaim.objects.filter(released_at__isnull=True).count() == 0
    third = start_bundle_completion(email=BUYER, bundle=bundle)
    assert third.order.pk != first.order.pk


def test_paying_keeps_existing_grants_and_adds_only_the_missing_parts(
    catalog, paid_order, fake_stripe, deliver_event
):
    level_i = paid_order("level-i", email=BUYER)
    started = start_bundle_completion(email=BUYER, bundle=catalog["bundle"])

    deliver_event(completed_event(fake_stripe, started.order, email=BUYER))

    held = Grant.objects.filter(holder_email=BUYER, state=Grant.State.ACTIVE)
    assert sorted(held.values_list("product__slug", flat=True)) == [
        "ai-kit",
        "level-i",
        "level-ii",
        "resume-kit",
    ]
    assert held.get(product__slug="level-i").order_id == level_i.pk
    order = Order.objects.get(pk=started.order.pk)
    assert order.status == Order.Status.PAID and not order.needs_review


def test_the_credit_shows_as_a_discount_in_the_email_and_the_csv(
    catalog, prices, paid_order, fake_stripe, deliver_event
):
    from django.core import mail

    paid_order("level-i", email=BUYER)
    started = start_bundle_completion(email=BUYER, bundle=catalog["bundle"])
    mail.outbox.clear()
    deliver_event(completed_event(fake_stripe, started.order, email=BUYER))

    confirmation = next(m for m in mail.outbox if started.order.reference in m.subject)
    bought_on = f"{timezone.localdate().day} {timezone.localdate():%b %Y}"
    bundle, level_i = format_money(prices["bundle"]), format_money(prices["level-i"])
    paid = format_money(prices["bundle"] - prices["level-i"])
    # The receipt adds up on its face: list price, then the credit, then the total.
    assert (
        f"- CPMA Bundle: 1 seat × {bundle} = {bundle}\n"
        f"  Credit for CPMA Level I Certification bought on {bought_on}: -{level_i}\n"
        f"\nTotal paid: {paid}\n"
    ) in confirmation.body
    description = fake_stripe.session_requests()[-1].form["line_items"][0]["price_data"]["product_data"]
    assert description["description"] == (
        f"CPMA Bundle {bundle} · credit for CPMA Level I Certification bought on {bought_on} −{level_i} · total {paid}"
    )
    assert "(" not in description["description"]
    row = next(
        r
        for r in read_csv("".join(csv_stream(ExportFilter())))
        if r["order_reference"] == started.order.reference
    )
    assert row["bundle_credit"] == f"{prices['level-i'] // 100}.00"
    assert "CPMA Level I" in row["bundle_credit_reason"]


def test_signed_in_buyers_see_their_price_and_everyone_else_the_sign_in_line(
    catalog, prices, paid_order, client, sign_in
):
    from django.test import Client

    paid_order("level-i", email=BUYER)
    anonymous = Client().get(reverse("catalog:product", args=["bundle"])).content.decode()
    sign_in(BUYER)
    product_page = client.get(reverse("catalog:product", args=["bundle"])).content.decode()
    purchases = client.get(reverse("access:purchases")).content.decode()
    review = client.get(reverse("checkout:review", args=["bundle"])).content.decode()

    assert "Sign in on your purchases page" in anonymous and "Complete your Bundle" not in anonymous
    price = format_money(prices["bundle"] - prices["level-i"])
    for page in (product_page, purchases, review):
        assert f"Complete your Bundle: {price}" in page
        assert "you own CPMA Level I" in page


def test_a_signed_out_buyer_cannot_start_a_credited_checkout(catalog, client):
    response = client.post(reverse("access:complete_bundle"), {"product": "bundle"})

    assert response.status_code == 302
    assert not Order.objects.exists()


def test_release_is_idempotent(catalog, paid_order):
    paid_order("level-i", email=BUYER)
    started = start_bundle_completion(email=BUYER, bundle=catalog["bundle"])

    assert release_bundle_credit(started.order.pk) == "released 1"
    assert release_bundle_credit(started.order.pk) == "released 0"
    run_ready_tasks()


def test_a_holder_whose_seat_someone_else_paid_for_is_never_told_less_nothing(
    catalog, prices, paid_order, client, sign_in
):
    order = paid_order("level-i", quantity=2, email=BUYER)
    Grant.objects.filter(order=order, seat=2).update(
        holder_email="editor@example.com", state=Grant.State.ACTIVE
    )
    sign_in("editor@example.com")

    page = client.get(reverse("catalog:product", args=["bundle"])).content.decode()

    assert "Complete your Bundle" in page
    assert f"less {format_money(0)}" not in page
    assert "No credit applies to what you own" in page


def test_completing_the_bundle_asks_the_digital_consent_and_keeps_it_on_the_order(
    catalog, paid_order, client, sign_in, fake_stripe, deliver_event
):
    from django.core import mail

    from checkout import consent

    paid_order("level-i", email=BUYER)
    sign_in(BUYER)
    page = client.get(reverse("access:purchases")).content.decode()
    sessions = len(fake_stripe.session_requests())
    assert 'id="bundle-consent-bundle" required' in page and consent.TEXT.split(".")[0] in page

    refused = client.post(reverse("access:complete_bundle"), {"product": "bundle"}, follow=True)

    refused_page = refused.content.decode()
    assert consent.REQUIRED_MESSAGE in refused_page and 'class="messages' not in refused_page
    assert 'aria-describedby="bundle-consent-bundle_error"' in refused_page
    assert f'id="bundle-consent-bundle_error">{consent.REQUIRED_MESSAGE}' in refused_page
    assert not Order.objects.filter(lines__adjustment_cents__gt=0).exists()
    assert not CreditClaim.objects.exists() and len(fake_stripe.session_requests()) == sessions

    started = client.post(reverse("access:complete_bundle"), {"product": "bundle", "digital_consent": "on"})

    assert started.status_code == 303
    order = Order.objects.filter(lines__adjustment_cents__gt=0).get()
    assert order.digital_consent_version == consent.VERSION and order.digital_consent_at is not None
    mail.outbox.clear()
    deliver_event(completed_event(fake_stripe, order, email=BUYER))
    confirmation = next(m for m in mail.outbox if order.reference in m.subject)
    assert consent.TEXT in confirmation.body and "five days" in confirmation.body


def test_the_buyer_back_from_completing_the_bundle_sees_the_full_success_page(
    catalog, paid_order, client, sign_in, fake_stripe, deliver_event
):
    paid_order("level-i", email=BUYER)
    sign_in(BUYER)

    started = client.post(reverse("access:complete_bundle"), {"product": "bundle", "digital_consent": "on"})
    assert started.status_code == 303
    order = Order.objects.filter(lines__adjustment_cents__gt=0).get()
    deliver_event(completed_event(fake_stripe, order, email=BUYER))

    page = client.get(reverse("checkout:success"), {"session_id": order.stripe_session_id})

    assert "checkout/success.html" in [t.name for t in page.templates]
    assert order.reference in page.content.decode()


def test_a_flash_message_sits_in_a_status_region_around_a_plain_list(
    catalog, paid_order, client, sign_in, fake_stripe
):
    # A Bundle already owned makes no offer: the refusal comes back as a flash message on the purchases page.
    paid_order("bundle", email=BUYER)
    sign_in(BUYER)

    page = client.post(
        reverse("access:complete_bundle"), {"product": "bundle", "digital_consent": "on"}, follow=True
    ).content.decode()

    assert "There is no lower price" in page
    assert '<div class="messages-region" role="status">\n      <ul class="messages">' in page
    assert '<ul class="messages" role=' not in page
