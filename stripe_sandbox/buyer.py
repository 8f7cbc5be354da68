"""What happens when the buyer presses a test card button on the sandbox's payment page.

Each card plays one of Stripe's outcomes and sends the webhooks Stripe would send for it:

- paid at once: the session completes paid; `checkout.session.completed`, then the invoice's
  `invoice.finalized` and `invoice.paid` (every session the shop opens asks for an invoice);
- 3-D Secure: the bank asks the buyer to authenticate first (the page shows an authentication step, and
  nothing changes yet); once they complete it, the session completes paid as above before the buyer goes
  back to the shop, as real Checkout does; if they fail it, the payment page says so and nothing changes;
- declined: the session stays open, nothing is charged and no event is sent; the page says why.
"""

from dataclasses import dataclass

from stripe_sandbox import tax
from stripe_sandbox.invoices import invoice_for
from stripe_sandbox.sessions import complete_session
from stripe_sandbox.state import Store


@dataclass(frozen=True)
class Card:
    number: str
    outcome: str  # "paid", "authenticate" or "declined"
    label: str
    explanation: str


TEST_CARDS = [
    Card("4242 4242 4242 4242", "paid", "Pay", "Paid at once."),
    Card(
        "4000 0025 0000 3155",
        "authenticate",
        "Pay with 3-D Secure",
        "The bank asks you to authenticate first; then paid.",
    ),
    Card("4000 0000 0000 0002", "declined", "Try a declined card", "The bank declines; nothing changes."),
]
DECLINED = "Your card was declined. Nothing was charged: try another test card."
NOT_AUTHENTICATED = "The bank could not authenticate the payment. Nothing was charged: try again."


def card_for(number: str) -> Card | None:
    digits = "".join(number.split())
    return next((card for card in TEST_CARDS if "".join(card.number.split()) == digits), None)


@dataclass(frozen=True)
class BuyerDetails:
    email: str
    name: str
    business_name: str = ""
    country: str = "US"
    vat_number: str = ""

    def tax_ids(self) -> list[dict[str, str]]:
        """The VAT number as Checkout's tax ID field gives it (eu_vat, gb_vat), or none outside the EU/UK."""
        kind = tax.vat_id_type(self.country)
        return [{"type": kind, "value": self.vat_number}] if kind and self.vat_number else []


def pay(store: Store, session_id: str, card: Card, buyer: BuyerDetails) -> str | None:
    """Play the buyer paying with `card` (a 3-D Secure card once authenticated). Returns the message to show
    on the page, or None when the buyer goes back to the shop (the session completed paid)."""
    if card.outcome == "declined":
        return DECLINED
    session = complete_session(
        store,
        session_id,
        payment_status="paid",
        email=buyer.email,
        name=buyer.name,
        business_name=buyer.business_name or None,
        country=buyer.country,
        tax_ids=buyer.tax_ids(),
    )
    store.emit("checkout.session.completed", session)
    invoice = invoice_for(store, session_id)
    if invoice is not None:
        store.emit("invoice.finalized", invoice)
        store.emit("invoice.paid", invoice)
    return None
