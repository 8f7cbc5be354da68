"""`python manage.py export_orders --since 2026-01-01 --until 2026-02-01 [--status paid] [--output file.csv]`

The same CSV as the admin export page, from the same code (finance.export). Bad input prints a clear
message and exits with status 2, like a usage error.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checkout.models import Order
from finance import export
from finance.files import write_csv_file
from finance.forms import ExportForm

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Write orders as CSV, one row per order line (columns in docs/finance.md). Dates are UTC days: "
        "--since is included, --until is not. Writes to stdout unless --output is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="first day of payment to include, YYYY-MM-DD")
        parser.add_argument("--until", help="day of payment to stop before (not included), YYYY-MM-DD")
        parser.add_argument(
            "--status", help=f"only orders with this status: {', '.join(Order.Status.values)}"
        )
        parser.add_argument("--product", help="only orders that include this product (its slug)")
        parser.add_argument("--output", help="file to write; stdout when omitted")
        parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte-order mark")

    def handle(self, *args, **options) -> None:
        form = ExportForm(
            {
                "since": options["since"] or "",
                "until": options["until"] or "",
                "status": options["status"] or "",
                "product": options["product"] or "",
            }
        )
        if not form.is_valid():
            raise CommandError(self.describe_errors(form), returncode=USAGE_ERROR)
        stream = export.csv_stream(form.export_filter(), bom=options["bom"])
        if options["output"]:
            self.write_file(Path(options["output"]), stream)
        else:
            for piece in stream:
                self.stdout.write(piece, ending="")

    @staticmethod
    def describe_errors(form: ExportForm) -> str:
        names = {"since": "--since", "until": "--until", "status": "--status", "product": "--product"}
        messages = []
        for field, errors in form.errors.as_data().items():
            for error in errors:
                if error.code == "reversed_range":
                    messages.append("--until must be a later day than --since.")
                else:
                    prefix = f"{names[field]}: " if field in names else ""
                    messages.extend(prefix + message for message in error.messages)
        return "invalid export filter. " + " ".join(messages)

    def write_file(self, target: Path, stream) -> None:
        write_csv_file(target, stream, self.stderr)
