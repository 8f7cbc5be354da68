"""`python manage.py export_transactions --since 2026-11-01 --until 2026-12-01 [--currency USD] [--output f.csv]`

The same CSV as the admin's "Export money movements" page, from the same code (finance.transactions): one
row per payment, fee, refund and dispute movement, on its own date.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finance import transactions
from finance.files import USAGE_ERROR, write_csv_file
from finance.forms import TransactionForm


class Command(BaseCommand):
    help = "Write money movements as CSV (columns in docs/finance.md). Dates are UTC days: --since included, --until not."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="first day to include, YYYY-MM-DD")
        parser.add_argument("--until", required=True, help="day to stop before (not included), YYYY-MM-DD")
        parser.add_argument("--currency", help="only movements in this currency, e.g. USD")
        parser.add_argument("--output", help="file to write; stdout when omitted")
        parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte-order mark")

    def handle(self, *args, **options) -> None:
        form = TransactionForm(
            {
                "since": options["since"],
                "until": options["until"],
                "currency": (options["currency"] or "").upper(),
            }
        )
        if not form.is_valid():
            messages = [
                f"--{field}: {message}" if field != "__all__" else message
                for field, errors in form.errors.items()
                for message in errors
            ]
            raise CommandError("invalid filter. " + " ".join(messages), returncode=USAGE_ERROR)
        stream = transactions.csv_stream(form.transaction_filter(), bom=options["bom"])
        if options["output"]:
            write_csv_file(Path(options["output"]), stream, self.stderr)
        else:
            for piece in stream:
                self.stdout.write(piece, ending="")
