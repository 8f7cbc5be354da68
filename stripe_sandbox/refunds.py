"""Refunds made through the API for the fake Stripe (the order admin's "Refund in full at Stripe").

    POST /v1/refunds    create (`payment_intent`, optional `amount`, `reason`, `metadata`)

The body is checked against the stripe library's `RefundCreateParams` like the fake's other endpoints. It
refunds what is left of the PaymentIntent's charge unless `amount` says less, answers Stripe's 400
`charge_already_refunded` when nothing is left, and emits `refund.created` and `charge.refunded` as Stripe
does (sent when webhooks are on). Idempotency keys are honoured by the fake itself.
"""

import copy
from typing import Any

from stripe.params import _refund_create_params

from stripe_sandbox.params import parameter_problems

PATH = "/v1/refunds"


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message, "code": code}}


def create(fake: Any, request: Any) -> tuple[int, dict[str, Any]]:
    """Answer one create for `fake` (a FakeStripe, not imported: this module stays out of its imports)."""
    problems = parameter_problems(request.body, _refund_create_params.RefundCreateParams)
    if problems:
        return 400, _error(problems[0], "parameter_unknown")
    form = request.form
    intent_id = form.get("payment_intent") or ""
    with fake._lock:
        intent = fake.payment_intents.get(intent_id)
        charge = fake.charges.get(intent.get("latest_charge") or "") if intent else None
        left = charge["amount"] - charge["amount_refunded"] if charge else 0
    if charge is None:
        return 404, _error(f"No such payment_intent: '{intent_id}'", "resource_missing")
    amount = int(form["amount"]) if form.get("amount") else left
    if left <= 0:
        return 400, _error(f"Charge {charge['id']} has already been refunded.", "charge_already_refunded")
    if amount > left:
        return 400, _error(f"Refund amount ({amount}) is greater than unrefunded amount.", "amount_too_large")
    refund = fake.refund(intent_id, amount=amount, reason=form.get("reason"))
    refund = fake.update_refund(refund["id"], metadata=form.get("metadata") or {})
    fake.emit("refund.created", refund)
    with fake._lock:
        charge = copy.deepcopy(fake.charges[charge["id"]])
    fake.emit("charge.refunded", charge)
    return 200, refund
