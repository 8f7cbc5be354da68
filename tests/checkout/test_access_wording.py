"""The success page and the order confirmation say "ready now" only of what is: a kit's files are there
the moment it is paid; a course comes when the academy enrols its holder, and they say when and how."""

import pytest
from django.core import mail

from checkout.receipts import COURSE_ENROLMENT_COMES, KIT_READY
from tests.checkout.conftest import completed_event

SUCCESS = "/checkout/success/"
# Sentences these pages said before, untrue of a course at purchase or of a kit.
UNTRUE = ("Your access is ready.", "The academy will email you how to begin within one working day.")


@pytest.fixture
def paid(catalog, client, buy, fake_stripe, deliver_event):
    def pay(slug: str) -> tuple[str, str]:
        mail.outbox.clear()
        _, order = buy(slug)
        event = completed_event(fake_stripe, order, email="pat@example.com", name="Pat")
        page = client.get(SUCCESS, {"session_id": order.stripe_session_id}).content.decode()
        deliver_event(event)
        [confirmation] = [
            m for m in mail.outbox if order.reference in m.subject and "access" not in m.subject
        ]
        return " ".join(page.split()), " ".join(confirmation.body.split())

    return pay


def test_a_course_says_when_and_how_access_comes(paid):
    page, email = paid("level-i")
    for text in (page, email):
        assert COURSE_ENROLMENT_COMES in text
        assert (
            "The academy enrols you on CPMA Level I Certification within one working day and emails you how "
            "to sign in." in text
        )
        assert "ready now" not in text.lower()
        assert not any(sentence in text for sentence in UNTRUE)
    # A Level I order has no files: neither its success page nor its confirmation speaks of downloads.
    assert "download" not in email.lower()
    assert "kit download" not in page.lower()


def test_a_kit_is_ready_now(paid, catalog):
    catalog["resume-kit"].access_instructions = ""
    catalog["resume-kit"].save()
    page, email = paid("resume-kit")
    for text in (page, email):
        assert "Your access is ready now." in text
        assert KIT_READY in text
        assert COURSE_ENROLMENT_COMES not in text
        assert not any(sentence in text for sentence in UNTRUE)
    assert "kit downloads" in email
    assert "kit downloads" in page


def test_a_bundle_says_which_part_is_ready_and_which_comes(paid):
    page, email = paid("bundle")
    for text in (page, email):
        assert (
            "Project Manager Resume Kit and Creative PM AI Kit are ready now; the academy enrols you on CPMA "
            "Level I Certification and " in text
        )
        assert "Everything else" not in text  # it came before the reader knew what the rest was
        assert "Your access is ready now." not in text


def test_a_kit_only_success_page_speaks_of_no_course(paid):
    page, _ = paid("resume-kit")

    assert "Instructions and kit downloads are on" in page
    assert "Course instructions" not in page


@pytest.mark.parametrize("slug", ["level-i", "bundle"])
def test_the_guarantee_reads_as_asking_within_five_days_not_as_a_five_day_wait(paid, slug):
    page, email = paid(slug)

    for text in (page, email):
        assert "Changed your mind? Ask within five days of paying and the academy refunds you in full" in text
        assert "within five days of purchase" not in text
