"""How an order reads on a receipt: one wording for the email, the pages, Stripe and the CSV; what each
product it gives says about starting; and the links order emails carry to the purchases page."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from catalog.money import format_money
from catalog.selectors import what_a_seat_gives
from checkout.models import Order, OrderLine


def adjusted_line(line: OrderLine, currency: str) -> str:
    """A line with a price adjustment as list price, then the adjustment, then the total, so it adds up on
    its face: "CPMA Bundle $297 · credit for CPMA Level I bought on 4 Dec 2026 -$147 · total $150"."""
    return (
        f"{line.product_name} {format_money(line.list_amount_cents, currency)} · {line.adjustment_label} "
        f"−{format_money(line.adjustment_cents, currency)} · total {format_money(line.amount_cents, currency)}"
    )


@dataclass(frozen=True)
class StartStep:
    """How to start one product an order gives: its name and the instructions staff wrote for it."""

    product_name: str
    instructions: str


def how_to_start(lines: Iterable[OrderLine]) -> list[StartStep]:
    """Each product the order's lines give (a Bundle's parts one by one), once, with its instructions."""
    steps: list[StartStep] = []
    seen: set[int] = set()
    for line in lines:
        if line.product is None:
            continue
        for product in what_a_seat_gives(line.product):
            if product.pk not in seen:
                seen.add(product.pk)
                steps.append(StartStep(product.name, product.access_instructions.strip()))
    return steps


def order_email_links(order: Order, email: str, sent_with: str) -> dict[str, str]:
    """The links an order email carries to the buyer's purchases page. The app that owns that page makes
    them (settings.ORDER_EMAIL_LINKS, a personal link); without one, the page's plain address."""
    if settings.ORDER_EMAIL_LINKS:
        return import_string(settings.ORDER_EMAIL_LINKS)(order=order, email=email, sent_with=sent_with)
    return {"purchases_url": f"{settings.SITE_URL}/purchases/", "order_url": ""}
