"""`python manage.py export_receivables [--output file.csv] [--bom]`: open invoices of payment requests
with their age, as the receivables page downloads them (finance.receivables)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from finance import receivables
from finance.files import write_csv_file


class Command(BaseCommand):
    help = "Write the open invoices of payment requests (receivables) as CSV, to stdout unless --output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", help="file to write; stdout when omitted")
        parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte-order mark")

    def handle(self, *args, **options) -> None:
        stream = receivables.csv_stream(bom=options["bom"])
        if options["output"]:
            write_csv_file(Path(options["output"]), stream, self.stderr)
        else:
            for piece in stream:
                self.stdout.write(piece, ending="")
