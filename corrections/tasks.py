"""The background task that makes a correction at Stripe: takes an id, is idempotent, retries with backoff.
(The registry check a new VAT number waits for is corrections.vat.check_correction_vat.)"""

from common.tasks import PAYMENTS_QUEUE, retrying_task
from corrections import issuing


@retrying_task(queue=PAYMENTS_QUEUE)
def issue_correction(correction_id: int) -> str:
    """Make the correction at Stripe (new invoice, void or credit note) and record it."""
    return issuing.issue_correction(correction_id)
