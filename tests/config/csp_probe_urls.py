"""The site's URLs plus a probe for the CSP browser test: a form whose POST is answered with a 303 to
another origin, as the checkout answers with a 303 to Stripe Checkout."""

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns

FORM = (
    '<!doctype html><html lang="en"><head><title>Probe</title></head><body>'
    '<form method="post" action="/csp-probe/start/"><input type="hidden" name="to" value="{to}">'
    '<button id="pay" type="submit">Pay</button></form></body></html>'
)


def probe_form(request):
    return HttpResponse(FORM.format(to=request.GET["to"]))


@csrf_exempt  # the probe has no session; the real checkout form carries its CSRF token
@require_POST
def probe_start(request):
    response = HttpResponseRedirect(request.POST["to"])
    response.status_code = 303
    return response


urlpatterns = [
    path("csp-probe/", probe_form),
    path("csp-probe/start/", probe_start),
    *site_urlpatterns,
]
