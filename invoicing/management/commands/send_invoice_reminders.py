"""`python manage.py send_invoice_reminders`: enqueue the reminders open invoices of payment requests are due
for (7 days before the due date, on it, 7 and 14 days after). Run daily; `reconcile_stripe` does it too.
Safe to repeat: each reminder is sent once."""

from django.core.management.base import BaseCommand

from invoicing import reminders


class Command(BaseCommand):
    help = "Enqueue due reminders for open invoices of payment requests."

    def handle(self, *args, **options) -> None:
        for line in reminders.enqueue_due_reminders():
            self.stdout.write(line)
