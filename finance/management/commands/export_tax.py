"""`python manage.py export_tax --since 2026-10-01 --until 2027-01-01 [--output FILE]`

The tax report per month, buyer country, currency and taxability reason (finance.tax_report): net, tax,
rate and number of orders, for the EU OSS and UK VAT returns.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finance import tax_report
from finance.files import USAGE_ERROR, write_csv_file
from finance.forms import PeriodForm


class Command(BaseCommand):
    help = "Write the tax report as CSV (columns in docs/finance.md). Dates are UTC days: --since included, --until not."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="first day to include, YYYY-MM-DD")
        parser.add_argument("--until", required=True, help="day to stop before (not included), YYYY-MM-DD")
        parser.add_argument("--output", help="file to write; stdout when omitted")

    def handle(self, *args, **options) -> None:
        form = PeriodForm({"since": options["since"], "until": options["until"]})
        if not form.is_valid():
            messages = [
                f"--{field}: {message}" if field != "__all__" else message
                for field, errors in form.errors.items()
                for message in errors
            ]
            raise CommandError("invalid period. " + " ".join(messages), returncode=USAGE_ERROR)
        stream = tax_report.csv_stream(since=form.cleaned_data["since"], until=form.cleaned_data["until"])
        if options["output"]:
            write_csv_file(Path(options["output"]), stream, self.stderr)
        else:
            for piece in stream:
                self.stdout.write(piece, ending="")
