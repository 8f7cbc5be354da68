"""How an order reads on a receipt: one wording for the email, the pages, Stripe and the CSV; what each
product it gives says about starting; and the links order emails carry to the purchases page."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from catalog.models import Product
from catalog.money import format_money
from catalog.selectors import what_a_seat_gives
from checkout.models import Order, OrderLine
from common import hooks


def adjusted_line(line: OrderLine, currency: str) -> str:
    """A line with a price adjustment as list price, then the adjustment, then the total, so it adds up on
    its face: "CPMA Bundle $297 · credit for CPMA Level I bought on 4 Dec 2026 -$147 · total $150"."""
    return (
        f"{line.product_name} {format_money(line.list_amount_cents, currency)} · {line.adjustment_label} "
        f"−{format_money(line.adjustment_cents, currency)} · total {format_money(line.amount_cents, currency)}"
    )


# When access comes. A kit's files are there the moment it is paid; a course is ready only once its holder is
# enrolled on the academy's course platform, which happens after the purchase (by its webhook or by staff).
KIT_READY = "Ready now: its files are on your purchases page."
COURSE_ENROLLED = "Ready now: you are enrolled on the course platform; sign in there with this address."
COURSE_ENROLMENT_COMES = (
    "The academy enrols you on its course platform within one working day and emails you how to sign in."
)


@dataclass(frozen=True)
class StartStep:
    """How to start one product an order gives: its name, the instructions staff wrote for it, and whether
    it can be used now (a kit, or a course its holder is enrolled on)."""

    product_name: str
    instructions: str
    is_course: bool = False
    enrolled: bool = False

    @property
    def ready_now(self) -> bool:
        return not self.is_course or self.enrolled

    @property
    def when(self) -> str:
        if not self.is_course:
            return KIT_READY
        return COURSE_ENROLLED if self.enrolled else COURSE_ENROLMENT_COMES


def start_step(product: Product, *, enrolled: bool = False) -> StartStep:
    return StartStep(
        product.name,
        product.access_instructions.strip(),
        is_course=product.kind == Product.Kind.COURSE,
        enrolled=enrolled,
    )


def how_to_start(lines: Iterable[OrderLine]) -> list[StartStep]:
    """Each product the order's lines give (a Bundle's parts one by one), once, with its instructions. At
    purchase no course holder is enrolled yet, so every course step says when its access comes."""
    steps: list[StartStep] = []
    seen: set[int] = set()
    for line in lines:
        if line.product is None:
            continue
        for product in what_a_seat_gives(line.product):
            if product.pk not in seen:
                seen.add(product.pk)
                steps.append(start_step(product))
    return steps


def gives_kit(steps: Iterable[StartStep]) -> bool:
    """Whether anything the steps give is a kit, so the copy may mention kit downloads."""
    return any(not step.is_course for step in steps)


def readiness(steps: Iterable[StartStep]) -> str:
    """One sentence for "what happens next" that is true of everything the steps give: "ready now" only
    when all of it is."""
    steps = list(steps)
    waiting = [step.product_name for step in steps if not step.ready_now]
    if not waiting:
        return "Your access is ready now."
    sentence = (
        f"the academy enrols you on {_names(waiting)} within one working day and emails you how to sign in."
    )
    ready = [step.product_name for step in steps if step.ready_now]
    if not ready:
        return sentence[0].upper() + sentence[1:]
    return f"{_names(ready)} {'is' if len(ready) == 1 else 'are'} ready now; {sentence}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# What happens next for seats added to a team order: nobody holds them yet, the buyer included.
ADDED_SEATS_READY = (
    "The new seats are ready to give: each colleague you give one to gets an email with their access."
)


def added_seats_path(order: Order) -> str:
    """For seats added to a team order, the page where they are given: that order's seat manager (the URL
    name in settings.PURCHASES_SEAT_MANAGER_URL, served by another app); "" for any other order."""
    if not order.adds_seats_to_id or not settings.PURCHASES_SEAT_MANAGER_URL:
        return ""
    team = Order.objects.only("reference").get(pk=order.adds_seats_to_id)
    return reverse(settings.PURCHASES_SEAT_MANAGER_URL, kwargs={"reference": team.reference})


def order_email_links(order: Order, email: str, sent_with: str) -> dict[str, str]:
    """The links an order email carries to the buyer's purchases page. The app that owns that page makes
    them (settings.ORDER_EMAIL_LINKS, a personal link); without one, the page's plain address."""
    if links := hooks.one("ORDER_EMAIL_LINKS"):
        return links(order=order, email=email, sent_with=sent_with)
    return {"purchases_url": f"{settings.SITE_URL}/purchases/", "order_url": ""}
