from django.urls import path

from checkout import request_views, views, webhooks

app_name = "checkout"

# `start` and `success` come before `<slug>`: no product may use those two slugs.
urlpatterns = [
    path("checkout/start/", views.start, name="start"),
    path("checkout/success/", views.success, name="success"),
    path("company-pays/", request_views.request_payment, name="request_payment"),
    path("company-pays/<str:reference>/", request_views.request_status, name="request_status"),
    path("pay-request/<str:token>/", request_views.payer_page, name="payment_request"),
    path("checkout/<slug:slug>/", views.review, name="review"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="webhook"),
]
