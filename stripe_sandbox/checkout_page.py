"""The buyer's side of the server, every address outside `/v1/`: a session's payment page (GET shows it,
POST pays with a test card: buyer.py), the overview at `/`, and a 404 page for everything else. The HTML is
hosted.py's; every page carries the sandbox mark."""

import copy
import re
from urllib.parse import parse_qsl

from stripe_sandbox import hosted
from stripe_sandbox.buyer import BuyerDetails, card_for, pay
from stripe_sandbox.state import Store, public
from stripe_sandbox.webhooks import Delivery


def answer(store: Store, method: str, path: str, body: str) -> tuple[int, str, str | None]:
    """Status, HTML and the address to redirect to (None: no redirect) for a browser's request."""
    match = re.fullmatch(r"/c/pay/(cs_test_\w+)", path)
    with store._lock:
        session = copy.deepcopy(store.sessions.get(match.group(1))) if match else None
    location = None
    if path == "/" and method == "GET":
        with store._lock:
            sessions = [public(s) for s in store.sessions.values()]
        deliveries: list[Delivery] = list(store.webhooks.deliveries) if store.webhooks else []
        status, page = (
            200,
            hosted.overview_page(sessions, deliveries, store.webhooks.url if store.webhooks else ""),
        )
    elif session is None or method not in ("GET", "POST"):
        status, page = 404, hosted.not_found_page()
    elif session["status"] != "open":
        status, page = 200, hosted.finished_page(session)
    elif method == "GET":
        with store._lock:
            store.hosted_visits.append(session["id"])
        status, page = 200, hosted.payment_page(session)
    else:
        form = dict(parse_qsl(body))
        buyer = BuyerDetails(
            email=form.get("email", "").strip(),
            name=form.get("name", "").strip(),
            business_name=form.get("business_name", "").strip(),
        )
        card = card_for(form.get("card", ""))
        if card is None:
            message = "Choose one of the test cards."
        elif "@" not in buyer.email or not buyer.name:
            message = "Enter your email address and the name on the card."
        else:
            message = pay(store, session["id"], card, buyer)
        if message:
            status, page = 200, hosted.payment_page(session, buyer=buyer, message=message)
        else:
            status, page = 303, ""
            location = (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session["id"])
    return status, page, location
