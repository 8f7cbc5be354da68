from django.contrib import admin
from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("export/orders/", admin.site.admin_view(views.export_orders), name="export_orders"),
    path(
        "export/transactions/", admin.site.admin_view(views.export_transactions), name="export_transactions"
    ),
    path("payouts/", admin.site.admin_view(views.payouts), name="payouts"),
    path("receivables/", admin.site.admin_view(views.receivables_page), name="receivables"),
]
