"""The part of checkout's review page that "My company pays" adds (settings.REVIEW_PAGE_EXTRAS): the request
form beside the buy form, and a notice for each of this browser's requests still waiting for the payer."""

from django.conf import settings
from django.http import HttpRequest

from catalog.models import Product
from catalog.seats import MIN_SEATS
from invoicing.forms import PaymentRequestForm
from invoicing.requests import open_requests_from


def context(*, request: HttpRequest, product: Product, visitor: str, seats: int | None) -> dict:
    return {
        "waiting_requests": open_requests_from(visitor=visitor, product=product),
        "review_notices": ["invoicing/_waiting_requests.html"],
        "review_panels": ["invoicing/_company_pays.html"],
        # The same seats, sent to a payer instead of paid here (invoicing.views.request_payment).
        "request_form": PaymentRequestForm(
            initial={"quantity": seats or MIN_SEATS, "po_number": request.GET.get("po_number", "")},
            prefix=PaymentRequestForm.PREFIX,
        ),
        "request_refused": False,
        # `?pay=company`: open "My company pays" (a checkout reminder's company route links here so).
        "company_pays_open": request.GET.get("pay") == "company",
        "invoice_days": settings.INVOICE_DAYS_UNTIL_DUE,
    }
