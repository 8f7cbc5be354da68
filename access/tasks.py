"""Background tasks for access. Each takes ids and plain values, is idempotent and retries with backoff
(common.tasks). Fulfilment enqueues the grant and revoke tasks with the order change that causes
them; the services enqueue the emails with the grant changes."""

from access import bundle_completion, emails, enrolment, services
from common.tasks import retrying_task


@retrying_task
def grant_access_for_order(order_id: int) -> str:
    return services.grant_access_for_order(order_id)


@retrying_task
def revoke_access_for_order(order_id: int, reason: str) -> str:
    return services.revoke_access_for_order(order_id, reason)


@retrying_task
def restore_access_for_order(order_id: int) -> str:
    return services.restore_access_for_order(order_id)


@retrying_task
def send_access_given_email(line_id: int, seat: int, resend: str = "") -> str:
    return emails.send_access_given(line_id, seat, resend=resend)


@retrying_task
def send_access_revoked_email(line_id: int, seat: int, recipient: str) -> str:
    return emails.send_access_revoked(line_id, seat, recipient)


@retrying_task
def send_sign_in_link(email: str) -> str:
    return emails.send_sign_in_link(email)


@retrying_task
def release_bundle_credit(order_id: int) -> str:
    return bundle_completion.release_bundle_credit(order_id)


@retrying_task
def deliver_enrolment(delivery_id: int) -> str:
    return enrolment.deliver(delivery_id)
