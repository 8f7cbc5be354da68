"""The review page says "You bought this" only for orders this browser paid for."""

import pytest

from checkout.models import Order
from tests.checkout.conftest import completed_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "status", [Order.Status.PENDING, Order.Status.PROCESSING, Order.Status.FAILED, Order.Status.EXPIRED]
)
def test_an_order_without_money_never_makes_the_review_page_say_you_bought_it(
    client, catalog, buy, fake_stripe, status
):
    _, order = buy("level-i", 1)  # this browser started it
    Order.objects.filter(pk=order.pk).update(status=status)

    page = client.get("/checkout/level-i/")

    assert page.status_code == 200
    assert "You bought" not in page.content.decode()


def test_a_paid_order_makes_the_review_page_say_you_bought_it(
    client, catalog, buy, fake_stripe, deliver_event
):
    _, order = buy("level-i", 1)
    deliver_event(completed_event(fake_stripe, order))

    page = client.get("/checkout/level-i/")

    assert "You bought CPMA Level I Certification on" in page.content.decode()
