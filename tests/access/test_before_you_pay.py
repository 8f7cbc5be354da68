"""The review page says, before paying, what happens after payment."""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def checkout_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_access"


def after_payment(client, slug: str) -> str:
    content = client.get(reverse("checkout:review", args=[slug])).content.decode()
    block = content.split('<div class="before-you-pay">')[1].split("</div>")[0]
    return block.split('<ul class="after-payment">')[1].split("</ul>")[0]


def test_the_bundle_review_page_says_what_happens_after_payment(client, catalog, checkout_on):
    notes = after_payment(client, "bundle")

    assert "by email straight away" in notes
    assert "download" in notes
    assert "course platform" in notes
    assert "purchases page" in notes and "seat" in notes


def test_a_kit_is_not_promised_a_course_and_a_course_not_promised_files(client, catalog, checkout_on):
    kit, course = after_payment(client, "resume-kit"), after_payment(client, "level-i")

    assert "download" in kit and "course platform" not in kit
    assert "course platform" in course and "download" not in course


def test_the_after_payment_notes_carry_no_prices_and_no_inline_script_or_style(client, catalog, checkout_on):
    notes = after_payment(client, "bundle")

    assert not re.search(r"[$€£]\s?\d", notes)
    assert "<script" not in notes and "style=" not in notes and "<style" not in notes
