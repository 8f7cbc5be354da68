"""How an order line reads on a receipt: one wording for the email, the pages, Stripe and the CSV."""

from catalog.money import format_money
from checkout.models import OrderLine


def adjusted_line(line: OrderLine, currency: str) -> str:
    """A line with a price adjustment as list price, then the adjustment, then the total, so it adds up on
    its face: "CPMA Bundle $297 · credit for CPMA Level I bought on 4 Dec 2026 -$147 · total $150"."""
    return (
        f"{line.product_name} {format_money(line.list_amount_cents, currency)} · {line.adjustment_label} "
        f"−{format_money(line.adjustment_cents, currency)} · total {format_money(line.amount_cents, currency)}"
    )
