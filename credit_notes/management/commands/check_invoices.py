"""`manage.py check_invoices`: the nightly ledger check (credit_notes.ledger). Prints one line per order
whose invoices less credit notes differ from the money it kept, and flags it for review."""

from django.core.management.base import BaseCommand

from credit_notes import ledger


class Command(BaseCommand):
    help = "Check that every invoiced order's invoices less credit notes equal the money it kept."

    def handle(self, *args, **options):
        lines = 0
        for line in ledger.check_all():
            self.stdout.write(line)
            lines += 1
        self.stdout.write(f"{lines} difference(s) found." if lines else "Every invoiced order adds up.")
