from django.apps import AppConfig


class CreditNotesConfig(AppConfig):
    name = "credit_notes"
    verbose_name = "Credit notes"
