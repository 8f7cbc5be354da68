"""Two workers running the same check at once (a lost lease, a re-enqueued task): one answer, one flag,
one email, on PostgreSQL's real row locks."""

from django_tasks_db.models import DBTaskResult

from checkout.models import Order
from payments import tax_ids
from payments.sessions import converge_session
from tax.models import TaxIdCheck
from tests.concurrency import POSTGRESQL_ONLY, run_together
from tests.factories import make_order
from tests.tax.test_order_checks import paid_session

pytestmark = POSTGRESQL_ONLY


def test_two_runs_of_one_rejected_check_flag_and_email_once(catalog):
    product = next(iter(catalog.values()))
    order = make_order([(product, 1)], status="pending", stripe_session_id="cs_test_tax_pg")
    converge_session(paid_session(order, "DE136695000"), source="test")
    check = TaxIdCheck.objects.get()
    outcomes = run_together([lambda: tax_ids.check_order_tax_id.call(check.pk)] * 2)

    assert outcomes == ["invalid", "invalid"]
    order = Order.objects.get(pk=order.pk)
    assert order.needs_review
    assert order.history.filter(kind="flagged").count() == 1
    assert DBTaskResult.objects.filter(task_path=tax_ids.send_tax_id_rejected.module_path).count() == 1
    check.refresh_from_db()
    assert check.result == "invalid" and check.acted_on_at is not None
