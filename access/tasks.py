"""Background tasks for access that run its services from outside: payments enqueues `converge_access`
(settings.ORDER_CHANGED_TASKS) with every change of an order's money, the purchases page a sign-in link.
Each takes ids and plain values, is idempotent and retries with backoff (common.tasks).

The tasks the access services enqueue themselves sit beside the service they run, so nothing imports back:
the access and ended emails in access.emails, the enrolment events in access.enrolment."""

from access import bundle_completion, emails, grants, selectors
from access.models import Grant
from common.tasks import MAIL_QUEUE, retrying_task


@retrying_task
def converge_access(order_id: int) -> str:
    """Grant, revoke, restore and release credit as the order's money now says (access.grants)."""
    return grants.converge_access(order_id)


# The three below are what checkout enqueued before converge_access; kept so tasks queued then still run.
@retrying_task
def grant_access_for_order(order_id: int) -> str:
    return grants.grant_access_for_order(order_id)


@retrying_task
def revoke_access_for_order(order_id: int, reason: str) -> str:
    return grants.revoke_access_for_order(order_id, reason)


@retrying_task
def restore_access_for_order(order_id: int) -> str:
    return grants.restore_access_for_order(order_id)


@retrying_task(queue=MAIL_QUEUE)
def send_access_revoked_email(line_id: int, seat: int, recipient: str) -> str:
    """The per-seat form queued before the email became one per holder address."""
    grant = Grant.objects.filter(line_id=line_id, seat=seat, holder_email=recipient).first()
    if grant is None:
        return "skipped"
    return emails.send_access_ended(grant.order_id, recipient, grant.revoked_reason)


@retrying_task(queue=MAIL_QUEUE)
def send_sign_in_link(email: str) -> str:
    if not selectors.has_purchases(email):
        return "no purchases"  # the page answered the same either way
    return emails.send_sign_in_link(email)


@retrying_task
def release_bundle_credit(order_id: int) -> str:
    return bundle_completion.release_bundle_credit(order_id)
