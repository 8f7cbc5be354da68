"""The correction page, for the buyer (signed in to the purchases page as the order's buyer) and for
accounts payable (the payer's link of the order's payment request). GET shows the form and the latest
correction; POST "preview" shows the corrected header beside the one issued; POST "confirm" records the
correction (corrections.services) and answers 303. A GET never changes anything."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from access import sessions
from checkout.models import Order
from checkout.views import see_other
from common.text import normalise_email
from corrections import services
from corrections.forms import CorrectionForm, country_name
from corrections.models import InvoiceCorrection
from corrections.target import CorrectionRefused, target_for
from invoicing.requests import request_for_link


def _page(request: HttpRequest, order: Order, *, role: str, email: str, back_url: str) -> HttpResponse:
    """The correction page for `role` ("the buyer", "accounts payable") signed in or linked as `email`."""
    target = target_for(order)
    if target is None:
        raise Http404("This order has no invoice to correct.")
    latest = order.invoice_corrections.first()
    in_progress = latest is not None and latest.state in InvoiceCorrection.IN_PROGRESS
    context = {
        "order": order,
        "target": target,
        "back_url": back_url,
        "message": "",
        "preview": None,
        "latest": latest,
        "in_progress": in_progress,
        # A new correction is offered only when one could be made: none under way, the invoice not voided.
        "may_correct": not in_progress and not target.void,
        "country": country_name(target.country),
    }
    form = CorrectionForm(initial=target.header)
    status = 200
    action = request.POST.get("action")
    if request.method == "POST":  # the services refuse what may not be made (CorrectionRefused)
        form = CorrectionForm(request.POST)
        if not form.is_valid():
            status = 400
        elif action != "change":  # "change" shows the form again with the values
            try:
                if action == "confirm":
                    services.request_correction(
                        order.pk, form.cleaned_data, requested_by=f"{role} ({email})", requester_email=email
                    )
                    return see_other(request.path)
                preview = services.preview(order, form.cleaned_data)
                context["preview"] = preview
                context["rows"] = [
                    (form[name].label, target.header[name], preview.after[name], name in preview.plan.changed)
                    for name in CorrectionForm.FIELDS
                ]
            except CorrectionRefused as refused:
                context["message"], status = str(refused), 409
    context["form"] = form
    response = render(request, "corrections/correct.html", context, status=status)
    # The payer's page is a capability link: never sent to another site, never indexed.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def buyer_correction(request: HttpRequest, reference: str) -> HttpResponse:
    viewer = sessions.viewer(request)
    if viewer is None:  # the same page whether or not the reference exists
        response = render(request, "corrections/signed_out.html", status=403)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    order = Order.objects.filter(reference=reference).first()
    if order is None or not viewer.sees(order.pk) or normalise_email(order.email) != viewer.email:
        raise Http404("No order of yours has that reference.")
    return _page(request, order, role="the buyer", email=viewer.email, back_url=reverse("access:purchases"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def payer_correction(request: HttpRequest, token: str) -> HttpResponse:
    payment_request = request_for_link(token)
    if payment_request is None:
        raise Http404("This link is not valid.")
    order = get_object_or_404(Order, pk=payment_request.order_id)
    return _page(
        request,
        order,
        role="accounts payable",
        email=payment_request.ap_email or payment_request.payer_email,
        back_url=reverse("invoicing:payment_request", args=[token]),
    )
