"""What happens when the buyer presses a test card button on the sandbox's payment page.

Each card plays one of Stripe's outcomes and sends the webhooks Stripe would send for it:

- paid at once: the session completes paid; `checkout.session.completed`, then the invoice's
  `invoice.finalized` and `invoice.paid` (every session the shop opens asks for an invoice);
- 3-D Secure, confirmed later: the session completes with `payment_status` "unpaid"
  (`checkout.session.completed`), and `async_delay` seconds later the payment succeeds
  (`checkout.session.async_payment_succeeded`, then the invoice events), as a delayed payment does;
- declined: the session stays open, nothing is charged and no event is sent; the page says why.
"""

from dataclasses import dataclass

from stripe_sandbox.invoices import invoice_for
from stripe_sandbox.sessions import complete_session, settle_async
from stripe_sandbox.state import Store


@dataclass(frozen=True)
class Card:
    number: str
    outcome: str  # "paid", "paid_later" or "declined"
    label: str
    explanation: str


TEST_CARDS = [
    Card("4242 4242 4242 4242", "paid", "Pay", "Paid at once."),
    Card(
        "4000 0025 0000 3155",
        "paid_later",
        "Pay with 3-D Secure",
        "Completes now, unpaid; the payment succeeds a few seconds later.",
    ),
    Card("4000 0000 0000 0002", "declined", "Try a declined card", "The bank declines; nothing changes."),
]
DECLINED = "Your card was declined. Nothing was charged: try another test card."


def card_for(number: str) -> Card | None:
    digits = "".join(number.split())
    return next((card for card in TEST_CARDS if "".join(card.number.split()) == digits), None)


@dataclass(frozen=True)
class BuyerDetails:
    email: str
    name: str
    business_name: str = ""


def pay(store: Store, session_id: str, card: Card, buyer: BuyerDetails) -> str | None:
    """Play the buyer paying with `card`. Returns the message to show on the page, or None when the buyer
    goes back to the shop (the session completed)."""
    if card.outcome == "declined":
        return DECLINED
    session = complete_session(
        store,
        session_id,
        payment_status="paid" if card.outcome == "paid" else "unpaid",
        email=buyer.email,
        name=buyer.name,
        business_name=buyer.business_name or None,
    )
    store.emit("checkout.session.completed", session)
    if card.outcome == "paid":
        _emit_invoice(store, session_id)
    else:
        store.later(store.async_delay, lambda: _settle(store, session_id))
    return None


def _settle(store: Store, session_id: str) -> None:
    session = settle_async(store, session_id, succeeded=True)
    store.emit("checkout.session.async_payment_succeeded", session)
    _emit_invoice(store, session_id)


def _emit_invoice(store: Store, session_id: str) -> None:
    invoice = invoice_for(store, session_id)
    if invoice is not None:
        store.emit("invoice.finalized", invoice)
        store.emit("invoice.paid", invoice)
