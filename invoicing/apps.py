from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Payment requests and invoices"

    def ready(self) -> None:
        from invoicing import checks  # noqa: F401  registers the launch checks
