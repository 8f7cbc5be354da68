import datetime as dt

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkout.models import Order
from finance.columns import HEADER
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv, streamed_text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:checkout_order_changelist")
EXPORT = reverse("finance:export_orders")


def january(day: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, 9, 0, tzinfo=dt.UTC)


def test_export_page_shows_the_filter_form_and_the_columns(finance_client):
    page = finance_client.get(EXPORT).content.decode()

    for name in ["since", "until", "status", "product", "bom"]:
        assert f'name="{name}"' in page
    assert "csrfmiddlewaretoken" in page
    assert all(column in page for column in HEADER)


def test_export_page_streams_a_csv_download_of_the_period(finance_client):
    product = make_product(price_cents=2500)
    inside = make_order([(product, 2)], paid_at=january(15))
    make_order([(product, 1)], paid_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))

    response = finance_client.post(EXPORT, {"since": "2026-01-01", "until": "2026-02-01", "status": "paid"})

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="orders-from-2026-01-01-before-2026-02-01-paid.csv"'
    )
    rows = read_csv(streamed_text(response))
    assert [(row["order_reference"], row["line_amount"]) for row in rows] == [(inside.reference, "50.00")]


def test_export_page_can_add_a_byte_order_mark(finance_client):
    make_order([(make_product(), 1)], paid_at=january(3))

    response = finance_client.post(EXPORT, {"since": "2026-01-01", "until": "2026-02-01", "bom": "on"})

    assert streamed_text(response).startswith("\ufeff" + HEADER[0])


def test_export_page_filters_by_product(finance_client):
    wanted, other = make_product(), make_product()
    order = make_order([(wanted, 1)], paid_at=january(4))
    make_order([(other, 1)], paid_at=january(5))

    response = finance_client.post(EXPORT, {"product": wanted.slug})

    assert {row["order_reference"] for row in read_csv(streamed_text(response))} == {order.reference}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"since": "2026-02-30"}, "Enter a valid date."),
        ({"since": "last tuesday"}, "Enter a valid date."),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "must be a later day"),
        ({"since": "2026-01-01", "until": "2026-01-01"}, "must be a later day"),
        ({"status": "bogus"}, "Select a valid choice."),
        ({"product": "no-such-product"}, "Select a valid choice."),
    ],
)
def test_bad_export_input_is_a_form_error(finance_client, data, message):
    response = finance_client.post(EXPORT, data)

    assert response.status_code == 200
    assert not response.streaming
    assert message in response.content.decode()


def count_web_export_queries(client, order_count: int) -> tuple[int, int]:
    product = make_product()
    for _ in range(order_count):
        make_order([(product, 1), (make_product(), 1)], paid_at=january(20))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(EXPORT, {"since": "2026-01-01", "until": "2026-02-01"})
        rows = read_csv(streamed_text(response))
    return len(queries), len(rows)


def test_web_export_query_count_does_not_depend_on_the_number_of_orders(finance_client):
    few_queries, few_rows = count_web_export_queries(finance_client, 2)
    many_queries, many_rows = count_web_export_queries(finance_client, 25)

    assert (few_rows, many_rows) == (4, 54)
    assert few_queries == many_queries


def test_admin_action_exports_only_the_selected_orders(finance_client):
    product = make_product()
    chosen = [make_order([(product, 1)]), make_order([(product, 3)])]
    make_order([(product, 1)])

    response = finance_client.post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [order.pk for order in chosen]},
    )

    assert isinstance(response, StreamingHttpResponse)
    rows = read_csv(streamed_text(response))
    assert sorted(row["order_reference"] for row in rows) == sorted(order.reference for order in chosen)


def test_admin_action_respects_the_changelist_filters_with_select_across(finance_client):
    product = make_product()
    refunded = make_order([(product, 1)], status="refunded", amount_refunded_cents=product.price_cents)
    make_order([(product, 1)])

    response = finance_client.post(
        CHANGELIST + "?status__exact=refunded",
        {"action": "export_selected", "select_across": "1", "_selected_action": [refunded.pk]},
    )

    rows = read_csv(streamed_text(response))
    assert {row["order_reference"] for row in rows} == {refunded.reference}
    assert Order.objects.count() == 2
