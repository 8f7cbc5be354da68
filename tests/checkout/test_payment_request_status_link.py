"""The buyer's emailed link to a payment request's status page is signed with its time and expires after
PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS: an expired link says so and offers a fresh one by email, on a page
that reads the same whether or not the order exists; the fresh link goes only to the buyer's own address."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from invoicing import status_links
from invoicing.models import PaymentRequest
from tests.checkout.payreq_helpers import fresh_request_throttle, send_request  # noqa: F401  (the fixture: autouse)

pytestmark = pytest.mark.django_db

DAY = 86400
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _status_path(message) -> str:
    link = next(word for word in message.body.split() if "/company-pays/" in word)
    return link.removeprefix("http://testserver")


def _copy_to_buyer():
    return [m for m in mail.outbox if m.to == ["dana@studio.example"] and "Your payment request" in m.subject]


def _key_made(order, days_ago: int, monkeypatch) -> str:
    signed_at = time.time() - days_ago * DAY
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: signed_at)
        return status_links.status_key(order)


@pytest.fixture
def sent(client, catalog, fake_stripe, run_tasks) -> PaymentRequest:
    _, request = send_request(client)
    run_tasks()
    return request


def test_the_emailed_link_opens_the_status_page_in_any_browser_until_it_expires(sent, monkeypatch, settings):
    order = sent.order
    path = _status_path(_copy_to_buyer()[0])
    assert order.token not in path  # the signed value stays on the server
    assert Client().get(path).status_code == 200

    for days_ago, status in ((89, 200), (91, 410)):
        key = _key_made(order, days_ago, monkeypatch)
        page = Client().get(f"/company-pays/{order.reference}/?key={key}")
        assert page.status_code == status, days_ago
    text = page.content.decode().replace(f"/company-pays/{order.reference}/", "")  # the page's own address
    assert "This link has expired" in text
    assert order.reference not in text and "dana@studio.example" not in text and "Studio Ltd" not in text

    settings.PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS = 30
    assert (
        Client().get(f"/company-pays/{order.reference}/?key={_key_made(order, 31, monkeypatch)}").status_code
        == 410
    )


def test_an_expired_link_cannot_cancel_or_resend_the_request(sent, monkeypatch):
    key = _key_made(sent.order, 91, monkeypatch)
    page = Client().post(f"/company-pays/{sent.order.reference}/?key={key}", {"action": "cancel"})

    assert page.status_code == 400  # the fresh-link form, which wants an address
    sent.refresh_from_db()
    assert sent.state == PaymentRequest.State.SENT


def test_the_expired_page_reads_the_same_whether_or_not_the_order_exists(sent, monkeypatch):
    key = _key_made(sent.order, 91, monkeypatch)
    real = Client().get(f"/company-pays/{sent.order.reference}/?key={key}")
    made_up = Client().get(f"/company-pays/CPMA-999999/?key={key}")

    assert real.status_code == made_up.status_code == 410
    real_text = CSRF.sub("", real.content.decode()).replace(sent.order.reference, "REF")
    assert real_text == CSRF.sub("", made_up.content.decode()).replace("CPMA-999999", "REF")
    for reference in (sent.order.reference, "CPMA-999999"):
        answer = Client().post(f"/company-pays/{reference}/?key={key}", {"email": "dana@studio.example"})
        assert answer.status_code == 303 and answer["Location"].endswith("&sent=1")


def test_a_fresh_link_goes_only_to_the_buyers_own_address_and_opens_the_page(sent, monkeypatch, run_tasks):
    key = _key_made(sent.order, 91, monkeypatch)
    expired = f"/company-pays/{sent.order.reference}/?key={key}"
    before = len(mail.outbox)
    assert Client().get(expired).status_code == 410
    run_tasks()
    assert len(mail.outbox) == before  # a GET sends nothing

    stranger = Client().post(expired, {"email": "someone@else.example"})
    run_tasks()
    assert len(mail.outbox) == before
    buyer = Client().post(expired, {"email": " Dana@Studio.example "})
    run_tasks()

    assert stranger.status_code == buyer.status_code == 303
    (fresh,) = mail.outbox[before:]
    assert fresh.to == ["dana@studio.example"] and "fresh link" in fresh.subject
    assert "If that address sent this payment request" in Client().get(buyer["Location"]).content.decode()
    page = Client().get(_status_path(fresh))
    assert page.status_code == 200 and sent.order.reference in page.content.decode()


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 300 + "@studio.example"])
def test_a_bad_address_for_a_fresh_link_is_refused_and_sends_nothing(sent, monkeypatch, run_tasks, email):
    expired = f"/company-pays/{sent.order.reference}/?key={_key_made(sent.order, 91, monkeypatch)}"
    before = len(mail.outbox)

    page = Client().post(expired, {"email": email})
    run_tasks()

    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.content.decode()
    assert len(mail.outbox) == before


def test_fresh_links_are_limited_per_address_a_day(sent, monkeypatch, settings):
    settings.PAYMENT_REQUEST_LIMIT_PER_PAYER = 2
    expired = f"/company-pays/{sent.order.reference}/?key={_key_made(sent.order, 91, monkeypatch)}"

    answers = [Client().post(expired, {"email": "dana@studio.example"}).status_code for _ in range(3)]

    assert answers == [303, 303, 429]


def test_a_link_of_the_first_untimed_kind_counts_as_expired_and_an_altered_one_opens_nothing(sent):
    untimed = signing.Signer(salt="invoicing.buyer-status").signature(
        f"{sent.order.reference}:{sent.order.token}"
    )
    assert Client().get(f"/company-pays/{sent.order.reference}/?key={untimed}").status_code == 410

    key = status_links.status_key(sent.order)
    for altered in (f"{key}x", key[:-1] + ("A" if key[-1] != "A" else "B"), "junk", f"{key}:{key}"):
        assert Client().get(f"/company-pays/{sent.order.reference}/?key={altered}").status_code == 404, (
            altered
        )
    # A made-up old time only opens the expired page, which shows nothing of the order.
    assert (
        Client().get(f"/company-pays/{sent.order.reference}/?key=zz:{key.split(':')[1]}").status_code == 410
    )
    other = send_request(Client(), buyer_email="eve@studio.example")[1]
    assert Client().get(f"/company-pays/{other.order.reference}/?key={key}").status_code == 404
