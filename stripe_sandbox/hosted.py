"""The sandbox's HTML pages: the payment page a Checkout Session's `url` opens, the overview at `/`, and
the answers for a finished session or an unknown address. Every one carries the sandbox mark, so nobody
mistakes it for Stripe's page."""

from html import escape
from typing import Any

from stripe_sandbox import tax
from stripe_sandbox.buyer import TEST_CARDS, BuyerDetails
from stripe_sandbox.webhooks import Delivery

MARK_CLASS = "sandbox-mark"
MARK = (
    f'<header class="{MARK_CLASS}"><strong>Sandbox</strong> A stand-in for Stripe Checkout, '
    "running on this computer. Test cards only: no card is charged and no money moves.</header>"
)

STYLE = """
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1f36; line-height: 1.45; }
body { margin: 0; background: #f6f8fa; }
.sandbox-mark { background: repeating-linear-gradient(-45deg, #ffe066 0 16px, #fcc419 16px 32px);
  color: #111; padding: .65rem 1rem; text-align: center; border-bottom: 2px solid #111; }
.sandbox-mark strong { text-transform: uppercase; letter-spacing: .1em; margin-right: .35rem;
  background: #111; color: #ffe066; padding: .1rem .45rem; border-radius: 3px; }
main { max-width: 980px; margin: 0 auto; padding: 1.25rem 1rem 3rem; display: grid; gap: 1.75rem; }
@media (min-width: 800px) { main.checkout { grid-template-columns: 1fr 1fr; gap: 3rem; padding-top: 3rem; } }
.checkout h1 { font-size: 1.15rem; font-weight: 600; margin: .75rem 0 0; color: #4f5b76; }
.total { font-size: 2.25rem; font-weight: 650; margin: .15rem 0 1.25rem; }
.lines { list-style: none; padding: 0; margin: 0; }
.lines li { display: flex; justify-content: space-between; gap: 1rem; padding: .7rem 0;
  border-top: 1px solid #e3e8ee; }
.lines .amount { white-space: nowrap; }
.lines .detail { display: block; color: #5b6b7c; font-size: .9rem; }
.back { color: #4f5b76; text-decoration: none; }
.back:hover, .back:focus { text-decoration: underline; }
.pay { background: #fff; border: 1px solid #e3e8ee; border-radius: 10px; padding: 1.25rem;
  box-shadow: 0 2px 8px rgba(0, 0, 0, .05); }
label { display: block; font-weight: 550; margin: 0 0 1rem; }
label .optional { font-weight: 400; color: #5b6b7c; }
input, select { display: block; width: 100%; box-sizing: border-box; margin-top: .3rem; padding: .65rem .75rem;
  font: inherit; font-weight: 400; border: 1px solid #b8c2cc; border-radius: 6px; background: #fff; }
fieldset { border: 0; padding: 0; margin: 1.5rem 0 0; min-width: 0; }
legend { font-weight: 650; margin-bottom: .6rem; padding: 0; }
button { display: block; width: 100%; text-align: left; margin: 0 0 .65rem; padding: .75rem 1rem;
  font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid #b8c2cc; background: #fff;
  color: #1a1f36; cursor: pointer; }
button.primary { background: #0a2540; border-color: #0a2540; color: #fff; }
button .card { display: block; font: 400 .85rem/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
button .why { display: block; font-weight: 400; font-size: .9rem; }
.message { background: #fff1f0; border: 1px solid #d93025; color: #8a1c14; padding: .75rem 1rem;
  border-radius: 6px; margin: 0 0 1rem; }
.session { font: .8rem ui-monospace, monospace; color: #5b6b7c; word-break: break-all; margin: 1rem 0 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
td.id { font-family: ui-monospace, monospace; word-break: break-all; }
.scroll { overflow-x: auto; } main > * { min-width: 0; } td { overflow-wrap: anywhere; }
.inline { display: flex; gap: .4rem; align-items: center; margin: 0 0 .4rem; }
.inline input { width: 7rem; margin: 0; padding: .35rem .5rem; }
.inline button { width: auto; margin: 0; padding: .35rem .7rem; }
"""


def layout(title: str, body: str, *, main_class: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sandbox · {escape(title)}</title>"
        '<link rel="icon" href="data:,"><meta name="robots" content="noindex">'
        f"<style>{STYLE}</style></head><body>{MARK}"
        f'<main class="{main_class}">{body}</main></body></html>'
    )


def money(cents: int, currency: str) -> str:
    return f"{currency.upper()} {cents // 100:,}.{cents % 100:02d}"


def payment_page(session: dict[str, Any], *, buyer: BuyerDetails | None = None, message: str = "") -> str:
    currency = session["currency"]
    lines = "".join(
        f"<li><span>{escape(line['name'])}"
        f'<span class="detail">Qty {line["quantity"]} × {money(line["unit_amount"], currency)}</span>'
        + (f'<span class="detail">{escape(line["description"])}</span>' if line.get("description") else "")
        + f'</span><span class="amount">{money(line["unit_amount"] * line["quantity"], currency)}</span></li>'
        for line in session.get("_line_items") or []
    )
    email = buyer.email if buyer else session.get("customer_email") or ""
    name = buyer.name if buyer else ""
    business = buyer.business_name if buyer else ""
    country = buyer.country if buyer else "US"
    vat_number = buyer.vat_number if buyer else ""
    tax_line, total_cents = _tax_preview(session, buyer or BuyerDetails(email="", name=""))
    total = money(total_cents, currency)
    countries = "".join(
        f'<option value="{code}"{" selected" if code == country else ""}>{escape(label)}</option>'
        for code, label in tax.PAGE_COUNTRIES.items()
    )
    buttons = "".join(
        f'<button type="submit" name="card" value="{escape(card.number)}"'
        f"{' class=primary' if index == 0 else ''}>"
        f"{escape(card.label)}{f' {total}' if card.outcome == 'paid' else ''}"
        f'<span class="card">{escape(card.number)}</span><span class="why">{escape(card.explanation)}</span>'
        "</button>"
        for index, card in enumerate(TEST_CARDS)
    )
    cancel = session.get("cancel_url")
    body = (
        "<section>"
        + (f'<a class="back" href="{escape(cancel)}">← Back to the shop</a>' if cancel else "")
        + f'<h1>Pay (sandbox)</h1><p class="total">{total}</p><ul class="lines">{lines}{tax_line}</ul></section>'
        '<section class="pay">'
        + (f'<p class="message" role="alert">{escape(message)}</p>' if message else "")
        + f'<form method="post" action="/c/pay/{escape(session["id"])}">'
        f'<label>Email<input type="email" name="email" required autocomplete="email" value="{escape(email)}">'
        "</label>"
        f'<label>Name on card<input name="name" required autocomplete="cc-name" value="{escape(name)}"></label>'
        '<label>Company name <span class="optional">(optional, printed on the invoice)</span>'
        f'<input name="business_name" autocomplete="organization" value="{escape(business)}"></label>'
        f'<label>Country<select name="country" autocomplete="country">{countries}</select></label>'
        '<label>VAT number <span class="optional">(optional, a business in the EU or UK)</span>'
        f'<input name="vat_number" autocomplete="off" value="{escape(vat_number)}"></label>'
        '<button type="submit" name="preview" value="1">Show the VAT for this country</button>'
        f"<fieldset><legend>Pay with a test card</legend>{buttons}</fieldset></form>"
        f'<p class="session">Checkout Session <span id="session">{escape(session["id"])}</span></p>'
        "</section>"
    )
    return layout("Pay", body, main_class="checkout")


def _tax_preview(session: dict[str, Any], buyer: BuyerDetails) -> tuple[str, int]:
    """The VAT line for the buyer's country and VAT number, as Stripe Tax will charge it, and the total."""
    subtotal = session["amount_subtotal"]
    if not session.get("automatic_tax", {}).get("enabled"):
        return "", session["amount_total"]
    inclusive = session.get("_tax_behavior") == "inclusive"
    result = tax.compute(amount=subtotal, country=buyer.country, tax_ids=buyer.tax_ids(), inclusive=inclusive)
    words = {
        "reverse_charge": "VAT: reverse charge, the buyer accounts for VAT",
        "not_collecting": "Tax: none (not registered to collect tax in this country)",
    }.get(result.reason, f"VAT {result.percentage}%{' (included)' if inclusive else ''}")
    line = (
        f'<li class="tax-line"><span>{escape(words)}</span>'
        f'<span class="amount">{money(result.amount, session["currency"])}</span></li>'
    )
    return line, subtotal + (0 if inclusive else result.amount)


def authenticate_page(session: dict[str, Any], buyer: BuyerDetails, card: str) -> str:
    """The 3-D Secure step: the buyer's bank asks them to confirm before the payment is made."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in (
            ("email", buyer.email),
            ("name", buyer.name),
            ("business_name", buyer.business_name),
            ("country", buyer.country),
            ("vat_number", buyer.vat_number),
            ("card", card),
        )
    )
    body = (
        '<section class="pay"><h1>Authenticate this payment (sandbox)</h1>'
        f"<p>Your bank asks you to confirm the payment of {money(session['amount_total'], session['currency'])}."
        "</p>"
        f'<form method="post" action="/c/pay/{escape(session["id"])}/authenticate">{hidden}'
        '<button type="submit" name="result" value="complete" class="primary">Complete authentication</button>'
        '<button type="submit" name="result" value="fail">Fail authentication</button></form>'
        f'<p class="session">Checkout Session <span id="session">{escape(session["id"])}</span></p></section>'
    )
    return layout("Authenticate", body, main_class="checkout")


def finished_page(session: dict[str, Any]) -> str:
    if session["status"] == "complete":
        back = (session.get("success_url") or "").replace("{CHECKOUT_SESSION_ID}", session["id"])
        body = "<h1>This checkout is complete</h1><p>The payment for it has been made.</p>"
    else:
        back = session.get("cancel_url") or ""
        body = "<h1>This checkout has expired</h1><p>Start again from the shop.</p>"
    link = f'<p><a href="{escape(back)}">Back to the shop</a></p>' if back else ""
    return layout("Checkout finished", f"<section>{body}{link}</section>")


def not_found_page() -> str:
    return layout(
        "Not found",
        '<section><h1>No such page in the sandbox</h1><p><a href="/">What the sandbox has seen</a></p></section>',
    )


def overview_page(
    sessions: list[dict[str, Any]], deliveries: list[Delivery], webhook_url: str, money_sections: str = ""
) -> str:
    """`/`: the Checkout Sessions the shop opened here, then `money_sections` (invoices and payments:
    money_pages.py), then the webhooks sent, newest first."""
    session_rows = "".join(
        '<tr><td class="id">'
        + (
            f'<a href="/c/pay/{escape(s["id"])}">{escape(s["id"])}</a>'
            if s["status"] == "open"
            else escape(s["id"])
        )
        + f"</td><td>{escape(s['status'])}</td><td>{escape(s['payment_status'])}</td>"
        f"<td>{money(s['amount_total'], s['currency'])}</td>"
        f"<td>{escape((s.get('customer_details') or {}).get('email') or '')}</td><td>"
        + (
            f'<form method="post" action="/c/expire/{escape(s["id"])}"><button>Expire</button></form>'
            if s["status"] == "open"
            else ""
        )
        + "</td></tr>"
        for s in sorted(sessions, key=lambda s: -s["created"])
    )
    delivery_rows = "".join(
        f'<tr><td>{escape(d.event_type)}</td><td class="id">{escape(d.event_id)}</td>'
        f"<td>{d.attempts}</td><td>{escape(d.outcome)}</td></tr>"
        for d in reversed(deliveries)
    )
    target = (
        f"Webhooks go to <code>{escape(webhook_url)}</code>."
        if webhook_url
        else "No webhook endpoint is set, so no events are sent."
    )
    body = (
        f"<section><h1>Stripe sandbox</h1><p>Checkout Sessions the shop opened here, newest first. {target}</p>"
        '<div class="scroll" tabindex="0"><table><thead><tr><th>Session</th><th>Status</th><th>Payment</th><th>Total</th>'
        f"<th>Email</th><th>Action</th></tr></thead><tbody>{session_rows}</tbody></table></div></section>{money_sections}"
        '<section><h2>Webhooks sent</h2><div class="scroll" tabindex="0"><table><thead><tr><th>Event</th><th>Id</th>'
        f"<th>Attempts</th><th>Answer</th></tr></thead><tbody>{delivery_rows}</tbody></table></div></section>"
    )
    return layout("Overview", body)
