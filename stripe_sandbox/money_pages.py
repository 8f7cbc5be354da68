"""The sandbox's HTML for money after checkout: an invoice on terms' own page (what its `hosted_invoice_url`
opens under `make run`) with "Pay by card" and "Bank transfer arrives", and the overview's tables of
invoices and of payments, each payment with a refund control. Every action is a POST form
(checkout_page.py answers them); a GET only shows."""

from html import escape
from typing import Any

from stripe_sandbox.hosted import layout, money


def amount_in_cents(text: str) -> int | None:
    """What a person typed ("120", "45.50") in cents; None when it is not a positive amount."""
    whole, _, fraction = text.strip().replace(",", "").partition(".")
    if not whole.isdigit() or len(fraction) > 2 or (fraction and not fraction.isdigit()):
        return None
    cents = int(whole) * 100 + int(fraction.ljust(2, "0") or 0)
    return cents if cents > 0 else None


def _notice(message: str) -> str:
    return f'<p class="message" role="alert">{escape(message)}</p>' if message else ""


def invoice_page(invoice: dict[str, Any], cash: int, *, message: str = "") -> str:
    currency = invoice["currency"]
    lines = "".join(
        f"<li><span>{escape(line.get('description') or 'Invoice item')}</span>"
        f'<span class="amount">{money(line["amount"], currency)}</span></li>'
        for line in (invoice.get("lines") or {}).get("data") or []
    )
    payable = invoice["status"] in ("open", "uncollectible") and invoice.get("amount_remaining")
    actions = ""
    if payable:
        path = f"/i/{escape(invoice['id'])}"
        actions = (
            f'<form method="post" action="{path}/pay">'
            f'<button type="submit" class="primary">Pay by card {money(invoice["amount_remaining"], currency)}'
            '<span class="why">Test card 4242 4242 4242 4242: paid at once.</span></button></form>'
        )
        if invoice["status"] == "open" and invoice.get("customer"):
            actions += (
                f'<form method="post" action="{path}/transfer"><fieldset><legend>Bank transfer arrives</legend>'
                f'<label>Amount <span class="optional">({currency.upper()}; empty: the full '
                f"{money(invoice['amount_remaining'], currency)})</span>"
                '<input name="amount" inputmode="decimal" autocomplete="off"></label>'
                '<button type="submit">Bank transfer arrives<span class="why">Reaches the payer\'s cash '
                "balance; it pays the invoice once the balance covers all of it.</span></button>"
                "</fieldset></form>"
            )
    body = (
        '<section><a class="back" href="/">← The sandbox overview</a>'
        f"<h1>Invoice {escape(invoice.get('number') or invoice['id'])} (sandbox)</h1>"
        f'<p class="total">{money(invoice.get("amount_remaining") or 0, currency)}</p>'
        f'<p>Status: <strong id="status">{escape(invoice["status"])}</strong>. '
        f"Billed to {escape(invoice.get('customer_name') or '')} {escape(invoice.get('customer_email') or '')}."
        f" Paid so far {money(invoice.get('amount_paid') or 0, currency)}.</p>"
        f'<ul class="lines">{lines}</ul></section>'
        f'<section class="pay">{_notice(message)}{actions}'
        + (
            f"<p>The payer's cash balance holds {money(cash, currency)}.</p>"
            if invoice.get("customer")
            else ""
        )
        + f'<p class="session">Invoice <span id="invoice">{escape(invoice["id"])}</span></p></section>'
    )
    return layout(f"Invoice {invoice.get('number') or ''}", body, main_class="checkout")


def invoices_section(invoices: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td class="id"><a href="/i/{escape(i["id"])}">{escape(i["id"])}</a></td>'
        f"<td>{escape(i.get('number') or '')}</td><td>{escape(i['status'])}</td>"
        f"<td>{escape(i.get('customer_name') or '')}</td>"
        f"<td>{money(i.get('amount_remaining') or 0, i['currency'])}</td></tr>"
        for i in sorted(invoices, key=lambda i: -i["created"])
    )
    return (
        "<section><h2>Invoices</h2><p>Invoices on terms (payment requests) and those made after a card "
        "payment. Open one to pay it by card or by bank transfer.</p>"
        '<div class="scroll" tabindex="0"><table><thead><tr><th>Invoice</th><th>Number</th><th>Status</th><th>Billed to</th>'
        f"<th>Left to pay</th></tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def payments_section(charges: list[dict[str, Any]], message: str = "") -> str:
    """A row per charge, with a refund control while something is left to refund."""

    def control(charge: dict[str, Any]) -> str:
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            return "Refunded"
        return (
            f'<form class="inline" method="post" action="/payments/{escape(charge["payment_intent"])}/refund">'
            f'<input name="amount" inputmode="decimal" autocomplete="off" aria-label="Amount to refund" '
            f'placeholder="{left // 100}.{left % 100:02d}"><button type="submit">Refund</button></form>'
        )

    rows = "".join(
        f'<tr><td class="id">{escape(c["payment_intent"])}</td><td>{money(c["amount"], c["currency"])}</td>'
        f"<td>{money(c['amount_refunded'], c['currency'])}</td><td>{control(c)}</td></tr>"
        for c in sorted(charges, key=lambda c: -c["created"])
    )
    return (
        f'<section id="payments"><h2>Payments</h2>{_notice(message)}<p>Refund one in full (leave the '
        "amount empty) or in part, as staff would in Stripe's dashboard: the refund events go to the shop.</p>"
        '<div class="scroll" tabindex="0"><table><thead><tr><th>Payment</th><th>Amount</th><th>Refunded</th><th>Refund</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )
