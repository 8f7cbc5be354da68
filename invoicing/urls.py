from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("company-pays/", views.request_payment, name="request_payment"),
    path("company-pays/<str:reference>/", views.request_status, name="request_status"),
    path("pay-request/<str:token>/", views.payer_page, name="payment_request"),
    path("pay-request/<str:token>/state/", views.payer_page_state, name="payment_request_state"),
]
