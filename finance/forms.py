"""Filters for the finance pages and the export command: one place that turns input into a period."""

import datetime as dt

from django import forms

from catalog.models import Product
from checkout.models import Order
from finance.export import ExportFilter
from finance.reports import MAX_PERIOD_YEARS, ReportPeriod, add_months, default_period, money_span
from finance.transactions import TransactionFilter

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 1)

DATE_FORMATS = ["%Y-%m-%d"]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def optional_currency_field(help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=lambda: [("", "Any currency"), *currency_choices()], required=False, help_text=help_text
    )


def bom_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Add a byte-order mark",
        required=False,
        help_text="Helps older Excel versions recognise UTF-8 (accents in names). Sheets does not need it.",
    )


class PeriodForm(forms.Form):
    """A half-open range of UTC days on the payment time: `since` is included, `until` is not."""

    since = forms.DateField(
        label="Paid from",
        input_formats=DATE_FORMATS,
        widget=DATE_WIDGET,
        help_text="Orders paid on or after 00:00 UTC on this day (YYYY-MM-DD).",
    )
    until = forms.DateField(
        label="Paid before",
        input_formats=DATE_FORMATS,
        widget=DATE_WIDGET,
        help_text="Orders paid before 00:00 UTC on this day, which is not included (YYYY-MM-DD).",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("since", "until"):
            day = cleaned.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    forms.ValidationError(
                        "Choose a day between %(earliest)s and %(latest)s.",
                        code="out_of_range",
                        params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                    ),
                )
                cleaned.pop(name, None)
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since >= until:
            raise forms.ValidationError(
                "“Paid before” must be a later day than “Paid from”: the range %(since)s to %(until)s is empty.",
                code="reversed_range",
                params={"since": since.isoformat(), "until": until.isoformat()},
            )
        if since and until and until > add_months(since.replace(day=1), 12 * MAX_PERIOD_YEARS + 1):
            raise forms.ValidationError(
                "Choose a period of at most %(years)s years.",
                code="too_long",
                params={"years": MAX_PERIOD_YEARS},
            )
        return cleaned


class ExportForm(PeriodForm):
    """The export filters, shared by the admin page and `manage.py export_orders`."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Order.Status.choices],
        required=False,
        help_text="Leave on “Any status” to include every status.",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("position", "name"),
        to_field_name="slug",
        required=False,
        empty_label="Any product",
        help_text="Orders that include this product, with all of their lines.",
    )
    currency = optional_currency_field("Only orders in this currency.")
    bom = bom_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Both ends are optional here: a blank end means no limit on that side.
        self.fields["since"].required = False
        self.fields["until"].required = False
        self.fields["since"].help_text += " Leave blank for no lower limit."
        self.fields["until"].help_text += " Leave blank for no upper limit."

    def export_filter(self) -> ExportFilter:
        data = self.cleaned_data
        return ExportFilter(
            since=data.get("since"),
            until=data.get("until"),
            status=data.get("status") or "",
            product=data.get("product"),
            currency=data.get("currency") or "",
        )


class TransactionForm(PeriodForm):
    """Filters of the money-movements export: dates are those of the movements themselves."""

    currency = optional_currency_field("Only movements in this currency.")
    bom = bom_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["since"].label, self.fields["until"].label = "From", "Before"
        self.fields["since"].help_text = "Movements on or after 00:00 UTC on this day (YYYY-MM-DD)."
        self.fields["until"].help_text = "Movements before 00:00 UTC on this day, not included (YYYY-MM-DD)."

    def transaction_filter(self) -> TransactionFilter:
        data = self.cleaned_data
        return TransactionFilter(
            since=data["since"], until=data["until"], currency=data.get("currency") or ""
        )


def currency_choices() -> list[tuple[str, str]]:
    codes = set(Order.objects.order_by().values_list("currency", flat=True).distinct())
    codes.update(Product.objects.order_by().values_list("currency", flat=True).distinct())
    codes.add("USD")
    return [(code, code) for code in sorted(codes)]


class DashboardForm(PeriodForm):
    currency = forms.ChoiceField(
        choices=currency_choices,
        initial="USD",
        help_text="Figures in different currencies are never added together.",
    )

    @classmethod
    def from_query(cls, query: dict) -> "DashboardForm":
        """Bound to the query string, or to the default period when the page is opened bare."""
        if not any(key in query for key in ("since", "until", "currency")):
            period = default_period(dt.datetime.now(dt.UTC).date(), *money_span("USD"))
            query = {
                "since": period.since.isoformat(),
                "until": period.until.isoformat(),
                "currency": "USD",
            }
        return cls(query)

    def period(self) -> ReportPeriod:
        data = self.cleaned_data
        return ReportPeriod(since=data["since"], until=data["until"], currency=data["currency"])
