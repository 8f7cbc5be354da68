"""The purchases page's cards: How to start above everything else and, when the course platform is told
(COURSE_ENROLMENT_WEBHOOK_URL), whether the holder's enrolment has arrived there."""

import pytest

from access.purchases_page import ENROLLED, ENROLMENT_ON_ITS_WAY
from tests.access.test_enrolment_webhook import platform  # noqa: F401  (fixture)
from tests.checkout.conftest import run_ready_tasks

pytestmark = pytest.mark.django_db


def card_text(page: str, product_name: str) -> str:
    start = page.index(f"<h3>{product_name}</h3>")
    return page[start : page.index("</section>", start)]


def test_a_card_starts_with_how_to_start(paid_order, client, sign_in, catalog):
    catalog["level-i"].access_instructions = "Sign in at learn.example.com."
    catalog["level-i"].save()
    paid_order("level-i", email="pat@example.com")
    sign_in("pat@example.com")

    card = card_text(client.get("/purchases/").content.decode(), "CPMA Level I Certification")

    assert card.index("How to start") < card.index("Sign in at learn.example.com.") < card.index("Order ")
    assert ENROLLED not in card and ENROLMENT_ON_ITS_WAY not in card  # no webhook configured


def test_with_the_webhook_the_card_says_whether_the_enrolment_arrived(
    paid_order,
    client,
    sign_in,
    platform,  # noqa: F811
):
    platform.answers = [500] * 4  # the first try of each of the four grants fails; the retries wait
    paid_order("bundle", email="pat@example.com")
    sign_in("pat@example.com")

    waiting = client.get("/purchases/").content.decode()

    assert ENROLMENT_ON_ITS_WAY in card_text(waiting, "CPMA Level I Certification")
    assert ENROLLED not in waiting
    assert "enrol" not in card_text(waiting, "Project Manager Resume Kit")  # a kit is not on the platform

    from tests.access.test_enrolment_webhook import run_retries_now

    run_retries_now()
    run_ready_tasks()
    arrived = client.get("/purchases/").content.decode()

    assert ENROLLED in card_text(arrived, "CPMA Level I Certification")
    assert ENROLLED in card_text(arrived, "CPMA Level II Certification")
