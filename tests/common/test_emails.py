"""Every email the academy sends has a text part and an HTML alternative that say the same things (the same
links, amounts and names), both signed with the academy's name, and the HTML is well formed, with real
links (common.emails and the layouts in templates/email/)."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from access import emails as access_emails
from access import grants as access_grants
from access.models import Grant
from checkout.emails import confirmation_message
from common.emails import ACADEMY_NAME, email_message
from invoicing import emails as invoicing_emails
from invoicing.models import PaymentRequest
from payments.alerts import review_alert_message
from payments.models import Refund
from payments.refund_receipts import refund_receipt_message
from teams import emails as teams_emails
from teams import seats
from tests.access.conftest import (  # noqa: F401  (fixtures used by these tests)
    buy,
    completed_event,
    deliver_event,
    fake_stripe,
    paid_order,
    private_media,
    run_ready_tasks,
    run_tasks,
    stripe_server,
)

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"')]+")
MONEY = re.compile(r"\$[\d,]+(?:\.\d\d)?")
# A line of the confirmation's receipt ("CPMA Bundle: 3 seats × $297 = $891"), a table row in the HTML.
RECEIPT_ROW = re.compile(r".+: \d+ seats? × \$[\d,.]+ = \$[\d,.]+$")
VOID = {"meta", "br", "img", "hr", "link", "input", "wbr", "source", "col", "area", "base"}
# The buyer's name carries an apostrophe and an ampersand: the text part shows them as typed, the HTML escapes them.
BUYER = "Dana O'Hara & Co"


class WellFormed(HTMLParser):
    """Fails on a tag closed out of order or never closed; collects the links and the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.hrefs: list[str] = []
        self.lang = ""
        self.title = ""
        self._in_title = False
        self.link_texts: list[str] = []
        self._in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "a":
            assert attrs.get("href"), "a link without an address"
            self.hrefs.append(attrs["href"])
            self._in_link = True
            self.link_texts.append("")
        if tag == "title":
            self._in_title = True
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else ''}>"
        self.open.pop()
        self._in_title = self._in_title and tag != "title"
        self._in_link = self._in_link and tag != "a"

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_link:
            self.link_texts[-1] += data


def parsed(html: str) -> WellFormed:
    parser = WellFormed()
    parser.feed(html)
    parser.close()
    assert parser.open == [], f"never closed: {parser.open}"
    return parser


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


BLOCKS = {"p", "br", "li", "ul", "h1", "h2", "h3", "td", "th", "tr", "table", "blockquote", "div"}


class VisibleText(HTMLParser):
    """The words of the HTML's body, a space where a block or a line break ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.in_body = self.in_body or tag == "body"
        self.parts.append(" " if tag in BLOCKS else "")

    def handle_endtag(self, tag):
        self.parts.append(" " if tag in BLOCKS else "")

    def handle_data(self, data):
        if self.in_body:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The HTML's words as a reader sees them (tags dropped, entities decoded, spaces collapsed, colons
    left out so a table row reads like a line of text)."""
    parser = VisibleText()
    parser.feed(html)
    return " ".join("".join(parser.parts).replace(":", "").split())


def assert_two_parts_that_agree(message, *facts: str) -> None:
    """The text part and the HTML carry `facts`, every link and amount of the text, and the signature."""
    text, html = message.body, html_of(message)
    page = parsed(html)
    words = visible_text(html)
    assert page.lang == "en" and " ".join(page.title.split()) == message.subject
    assert "&amp;" not in text and "&#x27;" not in text and "<" not in text, (
        "the text part shows HTML escapes"
    )
    for fact in facts:
        assert fact in text, f"text part lacks {fact!r}"
        assert " ".join(fact.replace(":", "").split()) in words, f"HTML lacks {fact!r}"
    # What the text says, the HTML says: each line of the text (its links aside) is in the HTML's words.
    for line in text.splitlines():
        said = " ".join(URL.sub("", line).split()).removeprefix("- ")
        if said and not RECEIPT_ROW.match(said):
            assert said.replace(":", "") in words, f"HTML does not say {said!r}"
    for link in URL.findall(text):
        assert link.rstrip(".,;:") in page.hrefs, f"HTML has no <a href> for {link}"
    for href in page.hrefs:
        assert href.startswith(("http://", "https://", "mailto:")), href
    for amount in MONEY.findall(text):
        assert amount in words, f"HTML lacks the amount {amount}"
    # Signed the same way everywhere: the academy's name, then its site, at the foot of both parts.
    assert re.search(rf"\n\n{ACADEMY_NAME}\n(.+\n)*{SITE}\n*$", text), text[-300:]
    assert f"{ACADEMY_NAME} " in words and words.endswith(SITE.replace(":", ""))


@pytest.fixture
def bundle_order(paid_order):  # noqa: F811  (the fixture imported above)
    """A paid 3-seat Bundle order; Ana holds seat 2."""
    order = paid_order("bundle", 3, email="dana@studio.example", name=BUYER)
    token = Grant.objects.filter(order=order, seat=2).first().token
    seats.assign_seat(
        grant_token=token, buyer_email=order.email, name="Ana Editor", email="ana@studio.example"
    )
    run_ready_tasks()
    return order


def sent_to(address: str, subject_part: str):
    [message] = [m for m in mail.outbox if m.to == [address] and subject_part in m.subject]
    return message


def test_the_confirmation_has_both_parts_with_the_reference_the_total_and_the_signature(bundle_order):
    message = confirmation_message(bundle_order)

    assert_two_parts_that_agree(message, bundle_order.reference, BUYER, "CPMA Bundle", "$891", "Total paid")


def test_the_access_email_to_a_seat_holder_has_both_parts_with_her_link(bundle_order):
    message = sent_to("ana@studio.example", "access")

    assert_two_parts_that_agree(message, "Hello Ana Editor", bundle_order.reference, BUYER, "How to start")
    assert "/purchases/open/" in message.body and "kit downloads" in message.body


def test_the_list_access_email_and_the_seat_reminder_have_both_parts(bundle_order):
    mail.outbox.clear()
    teams_emails.send_seats_given(bundle_order.pk, "ana@studio.example", "batch-1")
    teams_emails.send_seat_reminder(bundle_order.pk, "ana@studio.example", "seat-reminder-test")

    given, reminder = mail.outbox
    assert_two_parts_that_agree(given, "Hello Ana Editor", bundle_order.reference)
    assert_two_parts_that_agree(
        reminder, "Hello Ana Editor", bundle_order.reference, "asked us to remind you"
    )
    assert "/purchases/open/" in reminder.body


def test_the_seat_given_away_email_has_both_parts(bundle_order):
    mail.outbox.clear()
    token = Grant.objects.filter(order=bundle_order, seat=2).first().token
    seats.reassign_seat(
        grant_token=token, buyer_email=bundle_order.email, name="Bo", email="bo@studio.example"
    )
    run_ready_tasks()

    message = sent_to("ana@studio.example", "gone to someone else")
    assert_two_parts_that_agree(message, "Hello Ana Editor", bundle_order.reference, BUYER, "has ended")


def test_the_access_ended_email_has_both_parts_with_the_reason(bundle_order):
    mail.outbox.clear()
    grant_ids = Grant.objects.filter(order=bundle_order, holder_email="ana@studio.example").values_list(
        "pk", flat=True
    )
    access_grants.revoke_grants(grant_ids, reason="revoked by staff", source="staff:test")
    run_ready_tasks()

    message = sent_to("ana@studio.example", "access has ended")
    assert_two_parts_that_agree(
        message, bundle_order.reference, "the academy ended it", "CPMA Level I Certification"
    )


def test_the_enrolled_email_and_the_sign_in_link_have_both_parts(bundle_order):
    from access import manual_enrolment

    grant = Grant.objects.get(order=bundle_order, seat=2, product__slug="level-i")
    mail.outbox.clear()
    assert manual_enrolment.mark_enrolled([grant.pk], staff="staff@cpma.example") == 1
    run_ready_tasks()
    access_emails.send_sign_in_link("dana@studio.example")

    enrolled = sent_to("ana@studio.example", "enrolled")
    sign_in = sent_to("dana@studio.example", "sign-in")
    assert_two_parts_that_agree(enrolled, "Hello Ana Editor", grant.product.name, "ready now")
    assert_two_parts_that_agree(sign_in, "It works once")
    assert "/purchases/sign-in/" in sign_in.body


def test_the_refund_receipt_and_the_review_alert_have_both_parts(bundle_order, settings):
    settings.FINANCE_ALERT_EMAIL = "finance@cpma.example"
    refund = Refund.objects.create(
        order=bundle_order,
        stripe_refund_id="re_both_parts",
        amount_cents=29700,
        currency="usd",
        status="succeeded",
        created=timezone.now(),
    )

    receipt = refund_receipt_message(bundle_order, refund)
    alert = review_alert_message(bundle_order, "Refund in another currency.")

    assert_two_parts_that_agree(
        receipt, bundle_order.reference, "$297", "$594 remains paid", "5 to 10 business days"
    )
    assert_two_parts_that_agree(alert, bundle_order.reference, "Refund in another currency.")
    assert f"/admin/checkout/order/{bundle_order.pk}/change/" in alert.body


def payment_request(order, **fields) -> PaymentRequest:
    values = {
        "order": order,
        "buyer_name": BUYER,
        "buyer_email": "dana@studio.example",
        "payer_name": "Max Manager",
        "payer_email": "max@studio.example",
        "ap_email": "ap@studio.example",
        "company_name": "Studio Ltd",
        "billing_country": "US",
        "po_number": "PO-4471",
        "note": "Training budget Q1",
        "invoice_number": "INV-0042",
        "invoice_url": "https://invoice.stripe.example/i/inv_42",
        "invoice_pdf_url": "https://invoice.stripe.example/i/inv_42/pdf",
        "due_at": timezone.now() + dt.timedelta(days=30),
        "amount_due_cents": order.total_cents,
        "declined_reason": "We train in-house this year.",
        **fields,
    }
    return PaymentRequest(**values)


def test_every_payment_request_email_has_both_parts_and_the_sellers_details(bundle_order, settings):
    settings.SELLER_DETAILS = f"{ACADEMY_NAME}\n1 Studio Way, Burbank CA\nEIN 12-3456789"
    request = payment_request(bundle_order)
    messages = {
        "request": invoicing_emails.request_message(bundle_order, request, "/pay-request/abc/"),
        "copy": invoicing_emails.copy_message(bundle_order, request),
        "receipt": invoicing_emails.receipt_message(bundle_order, request, "max@studio.example"),
        "declined": invoicing_emails.declined_message(bundle_order, request),
        "invoice": invoicing_emails.invoice_message(bundle_order, request),
        "reminder": invoicing_emails.reminder_message(bundle_order, request, "after-7"),
        "fresh status link": invoicing_emails.fresh_link_message(bundle_order, request),
    }

    for name, message in messages.items():
        assert_two_parts_that_agree(message, bundle_order.reference, "$891")
        # The seller's address and tax number sign it under the academy's name, which is not repeated.
        assert f"{ACADEMY_NAME}\n1 Studio Way, Burbank CA\nEIN 12-3456789\n{SITE}" in message.body, name
        assert message.body.count(ACADEMY_NAME) == 1 + ("chosen training at the" in message.body), name
    assert f"{SITE}/pay-request/abc/" in messages["request"].body
    assert "Studio Ltd" in messages["request"].body and "Training budget Q1" in messages["request"].body
    assert "/request/" in messages["copy"].body or "key=" in messages["copy"].body
    assert (
        request.invoice_url in messages["invoice"].body
        and request.invoice_pdf_url in messages["reminder"].body
    )
    assert "We train in-house this year." in messages["declined"].body


def test_the_html_part_escapes_what_buyers_typed():
    message = email_message(
        "access/sign_in",
        {"sign_in_url": f"{SITE}/purchases/sign-in/x/?a=1&b=2", "minutes": 15},
        to=["pat@example.com"],
    )

    assert "?a=1&amp;b=2" in html_of(message) and "?a=1&b=2" in message.body
    assert message.reply_to == []  # an empty Reply-To address is left out


def test_every_emails_html_is_valid_by_the_nu_checker(bundle_order, settings, tmp_path):
    from tests.pages.test_valid_html import validate

    settings.FINANCE_ALERT_EMAIL = "finance@cpma.example"
    request = payment_request(bundle_order)
    teams_emails.send_seat_reminder(bundle_order.pk, "ana@studio.example", "seat-reminder-test")
    access_emails.send_sign_in_link("dana@studio.example")
    teams_emails.send_seat_given_away(
        bundle_order.pk, "ana@studio.example", "Ana Editor", ["CPMA Bundle"], "seat-away-test"
    )
    grant_ids = Grant.objects.filter(order=bundle_order, holder_email="ana@studio.example").values_list(
        "pk", flat=True
    )
    access_grants.revoke_grants(grant_ids, reason="revoked by staff", source="staff:test")
    run_ready_tasks()
    refund = Refund.objects.create(
        order=bundle_order,
        stripe_refund_id="re_valid",
        amount_cents=89100,
        currency="usd",
        status="succeeded",
        created=timezone.now(),
    )
    messages = [
        *mail.outbox,
        confirmation_message(bundle_order),
        refund_receipt_message(bundle_order, refund),
        review_alert_message(bundle_order, "Refund in another currency."),
        invoicing_emails.request_message(bundle_order, request, "/pay-request/abc/"),
        invoicing_emails.copy_message(bundle_order, request),
        invoicing_emails.receipt_message(bundle_order, request, "max@studio.example"),
        invoicing_emails.declined_message(bundle_order, request),
        invoicing_emails.invoice_message(bundle_order, request),
        invoicing_emails.reminder_message(bundle_order, request, "before-7"),
        invoicing_emails.fresh_link_message(bundle_order, request),
    ]
    files = {}
    for number, message in enumerate(messages):
        page = tmp_path / f"email-{number}.html"
        page.write_text(html_of(message))
        files[page.name] = message.subject

    errors = validate([tmp_path / name for name in files])

    assert len({subject.split(" (")[0] for subject in files.values()}) >= 12
    assert not errors, "\n".join(
        f"{files.get(e.get('url', '').rsplit('/', 1)[-1])}: line {e.get('lastLine')}: {e['message']}"
        for e in errors
    )
