"""How every email the academy sends is put together: a subject, a plain-text part and an HTML alternative,
from `templates/email/<name>_subject.txt`, `<name>.txt` and `<name>.html`.

The text part is the source of truth for what an email says; its HTML twin says the same things with
headings and real links. Both extend a shared layout (`email/_layout.txt`, `email/_layout.html`) that signs
every email the same way: the academy's name, any `signature_lines` the context gives under it (a payment
request's seller details), and the site.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

ACADEMY_NAME = "Creative Project Management Academy"


def _with_academy(context: dict) -> dict:
    return {"academy_name": ACADEMY_NAME, "site_url": settings.SITE_URL, "signature_lines": (), **context}


def text_and_html(template: str, context: dict) -> tuple[str, str]:
    """The text and the HTML of `templates/email/<template>`, with the academy's name and site in context."""
    context = _with_academy(context)
    return (
        render_to_string(f"email/{template}.txt", context),
        render_to_string(f"email/{template}.html", context),
    )


def email_message(
    template: str,
    context: dict,
    *,
    to: Iterable[str],
    cc: Iterable[str] = (),
    reply_to: Iterable[str] = (),
) -> EmailMultiAlternatives:
    """One email from `templates/email/<template>` (subject, text, HTML), ready to send; empty addresses in
    `reply_to` are left out."""
    context = _with_academy(context)
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
    text, html = text_and_html(template, {**context, "subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=list(to),
        cc=list(cc) or None,
        reply_to=[address for address in reply_to if address] or None,
    )
    message.attach_alternative(html, "text/html")
    return message
