import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkout.models import Order
from payments.models import StripeEvent
from tests.factories import make_order, make_product, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:checkout_order_changelist")
EXPORT = reverse("finance:export_orders")
DASHBOARD = reverse("finance:dashboard")


def detail_url(order: Order) -> str:
    return reverse("admin:checkout_order_change", args=[order.pk])


def test_finance_group_can_view_and_export_orders_and_nothing_else():
    codenames = set(Group.objects.get(name="Finance").permissions.values_list("codename", flat=True))

    assert codenames == {
        "view_order",
        "view_orderline",
        "view_stripeevent",
        "export_orders",
        "view_payment",
        "view_refund",
        "view_dispute",
        "view_orderevent",
        "view_emaildelivery",
        "view_payout",
        "view_payoutline",
    }


def test_catalogue_editors_have_no_order_permissions():
    group = Group.objects.get(name="Catalogue editors")

    assert not group.permissions.filter(content_type__app_label="checkout").exists()


def test_finance_sees_the_order_list_with_products_seats_and_money(finance_client):
    course, kit = (
        make_product(name="Course X", price_cents=12000),
        make_product(name="Kit Y", price_cents=900),
    )
    order = make_order(
        [(course, 2), (kit, 1)],
        status="partially_refunded",
        amount_refunded_cents=900,
        email="ana@example.com",
    )

    response = finance_client.get(CHANGELIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert order.reference in page
    assert "ana@example.com" in page
    assert "Course X × 2, Kit Y × 1" in page
    assert '<td class="field-seats">3</td>' in page
    assert "$249" in page and "$9" in page
    assert "Partially refunded" in page
    assert f'href="{EXPORT}"' in page and f'href="{DASHBOARD}"' in page
    assert 'value="export_selected"' in page


def test_order_list_query_count_does_not_grow_with_the_page(finance_client):
    product = make_product()
    make_order([(product, 1)])
    with CaptureQueriesContext(connection) as few:
        finance_client.get(CHANGELIST)
    for _ in range(10):
        make_order([(product, 1), (make_product(), 2)])
    with CaptureQueriesContext(connection) as many:
        finance_client.get(CHANGELIST)

    assert len(few) == len(many)


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("stripe_session_id", "cs_test_find_me"),
        ("stripe_payment_intent_id", "pi_test_find_me"),
        ("email", "findme@example.com"),
    ],
)
def test_search_finds_an_order_by_stripe_ids_and_email(finance_client, field, query):
    product = make_product()
    wanted = make_order([(product, 1)], **{field: query})
    other = make_order([(product, 1)])

    page = finance_client.get(CHANGELIST, {"q": query}).content.decode()

    assert detail_url(wanted) in page
    assert detail_url(other) not in page


def test_search_finds_an_order_by_reference(finance_client):
    product = make_product()
    wanted, other = make_order([(product, 1)]), make_order([(product, 1)])

    page = finance_client.get(CHANGELIST, {"q": wanted.reference}).content.decode()

    assert detail_url(wanted) in page and detail_url(other) not in page


def test_filters_by_status_product_and_paid_date(finance_client):
    import datetime as dt

    wanted_product, other_product = make_product(), make_product()
    january = make_order([(wanted_product, 1)], paid_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC))
    refunded = make_order([(other_product, 1)], status="refunded", amount_refunded_cents=1)
    march = make_order([(other_product, 1)], paid_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))

    by_status = finance_client.get(CHANGELIST, {"status__exact": "refunded"}).content.decode()
    by_product = finance_client.get(
        CHANGELIST, {"lines__product__id__exact": wanted_product.pk}
    ).content.decode()
    by_date = finance_client.get(
        CHANGELIST, {"paid_at__gte": "2026-01-01 00:00:00+00:00", "paid_at__lt": "2026-02-01 00:00:00+00:00"}
    ).content.decode()

    assert detail_url(refunded) in by_status and detail_url(january) not in by_status
    assert detail_url(january) in by_product and detail_url(march) not in by_product
    assert detail_url(january) in by_date and detail_url(march) not in by_date


def test_order_detail_shows_lines_and_stripe_events_read_only(finance_client):
    order = make_order([(make_product(name="Detail course", price_cents=4200), 3)], tax_cents=100)
    StripeEvent.objects.create(event_id="evt_test_123", type="checkout.session.completed", order=order)

    response = finance_client.get(detail_url(order))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Detail course" in page and "$126" in page and "$127" in page
    assert "evt_test_123" in page and "checkout.session.completed" in page
    for field in ["total_cents", "status", "stripe_session_id", "amount_refunded_cents"]:
        assert f'name="{field}"' not in page
    assert 'name="_save"' not in page


def test_finance_can_open_a_stripe_event_but_not_edit_it(finance_client):
    event = StripeEvent.objects.create(event_id="evt_test_9", type="charge.refunded", payload={"id": "x"})
    url = reverse("admin:payments_stripeevent_change", args=[event.pk])

    assert finance_client.get(url).status_code == 200
    assert finance_client.post(url, {"type": "edited"}).status_code == 403
    event.refresh_from_db()
    assert event.type == "charge.refunded"


def test_payment_data_cannot_be_changed_added_or_deleted_even_by_a_superuser(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "a-long-password"))
    order = make_order([(make_product(), 1)])
    original_total = order.total_cents

    change = client.post(detail_url(order), {"total_cents": "1", "status": "refunded"})
    delete = client.post(reverse("admin:checkout_order_delete", args=[order.pk]), {"post": "yes"})
    add = client.get(reverse("admin:checkout_order_add"))
    bulk_delete = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [order.pk]})

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert bulk_delete.status_code in (200, 302)
    order.refresh_from_db()
    assert order.total_cents == original_total and order.status == "paid"
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:checkout_order_changelist",
        "finance:export_orders",
        "finance:export_transactions",
        "finance:dashboard",
        "finance:payouts",
    ],
)
def test_catalogue_editors_are_refused_the_order_pages(editor_client, url_name):
    url = reverse(url_name)

    assert editor_client.get(url).status_code == 403


def test_catalogue_editors_cannot_open_an_order(editor_client):
    order = make_order([(make_product(), 1)])

    assert editor_client.get(detail_url(order)).status_code == 403
    assert editor_client.post(EXPORT, {}).status_code == 403


def test_catalogue_editors_do_not_see_orders_on_the_admin_index(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()

    assert "Products" in page and CHANGELIST not in page


@pytest.mark.parametrize("url", [CHANGELIST, EXPORT, DASHBOARD])
def test_staff_without_a_group_are_refused(client, url):
    client.force_login(make_staff("nobody"))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [CHANGELIST, EXPORT, DASHBOARD])
def test_plain_users_are_sent_to_the_login_page(client, url):
    client.force_login(User.objects.create_user("shopper", "s@example.com", "a-long-test-password"))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_viewers_without_the_export_permission_cannot_export(client):
    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    order = make_order([(make_product(), 1)])

    changelist = client.get(CHANGELIST).content.decode()
    action = client.post(CHANGELIST, {"action": "export_selected", "_selected_action": [order.pk]})

    assert order.reference in changelist
    assert DASHBOARD in changelist
    assert EXPORT not in changelist and "export_selected" not in changelist
    assert client.get(EXPORT).status_code == 403
    assert not action.streaming


def test_the_admin_home_links_the_finance_pages(finance_client, client):
    from tests.factories import make_staff

    home = finance_client.get(reverse("admin:index")).content.decode()
    for name in ("dashboard", "receivables", "payouts", "export_orders", "export_transactions"):
        assert f'href="{reverse(f"finance:{name}")}"' in home

    client.force_login(make_staff("editor-home", group="Catalogue editors"))
    assert reverse("finance:dashboard") not in client.get(reverse("admin:index")).content.decode()
