from django.urls import path

from corrections import views

app_name = "corrections"

urlpatterns = [
    path("invoice-corrections/order/<str:reference>/", views.buyer_correction, name="buyer"),
    path("invoice-corrections/pay-request/<str:token>/", views.payer_correction, name="payer"),
]
