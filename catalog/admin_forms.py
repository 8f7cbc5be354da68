"""The product form staff edit: the price as money in the product's currency, checked before it is saved."""

from decimal import Decimal

from django import forms

from catalog.models import Product
from catalog.money import MAX_AMOUNT, SHOP_CURRENCIES, format_money, to_decimal, to_minor_units
from catalog.rules import price_change_needs_confirmation


class ProductAdminForm(forms.ModelForm):
    """`price` replaces the model's `price_cents` on screen: staff type `147` or `147.00` (whole yen for
    JPY) and the form stores 14700. A change of more than half the current price, or of currency, needs
    the "confirm" box, which appears only then."""

    price = forms.DecimalField(
        label="Price",
        min_value=Decimal("0"),
        max_digits=12,
        help_text="In the product's currency, as buyers see it: 147.00 for $147. Currencies without a "
        "smaller unit, such as JPY, take whole amounts.",
        error_messages={
            "invalid": "Enter the price as a number such as 147.00: digits and one dot, no commas."
        },
    )
    confirm_price_change = forms.BooleanField(
        label="Confirm price change",
        required=False,
        widget=forms.HiddenInput,
        help_text="Tick to save a price more than half above or below the current one, or in another currency.",
    )

    class Meta:
        model = Product
        # `price_cents` is set from `price` in clean(); the admin's fieldsets decide what is shown.
        fields = [
            "name",
            "slug",
            "kind",
            "tagline",
            "description",
            "audience",
            "currency",
            "is_active",
            "position",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance
        # What was saved before this edit, for the confirmation rule and the price history.
        self.price_before: tuple[int, str] | None = (saved.price_cents, saved.currency) if saved.pk else None
        if self.price_before:
            self.initial.setdefault("price", to_decimal(saved.price_cents, saved.currency))
        if "currency" in self.fields:
            kept = [saved.currency] if saved.pk and saved.currency not in SHOP_CURRENCIES else []
            self.fields["currency"].choices = [(code, code) for code in (*SHOP_CURRENCIES, *kept)]

    def clean(self) -> dict:
        data = super().clean()
        amount, currency = data.get("price"), data.get("currency")
        if amount is None or not currency:
            return data
        try:
            cents = to_minor_units(amount, currency)
        except ValueError as exc:
            self.add_error("price", str(exc))
            return data
        if not 1 <= cents <= MAX_AMOUNT:
            self.add_error(
                "price",
                f"The price must be from {format_money(1, currency)} to {format_money(MAX_AMOUNT, currency)}.",
            )
            return data
        if self.price_before and not data.get("confirm_price_change"):
            old_cents, old_currency = self.price_before
            if price_change_needs_confirmation(
                old_cents=old_cents, old_currency=old_currency, new_cents=cents, new_currency=currency
            ):
                self._ask_for_confirmation(
                    format_money(old_cents, old_currency), format_money(cents, currency)
                )
                return data
        self.instance.price_cents = cents
        return data

    def _ask_for_confirmation(self, old: str, new: str) -> None:
        self.fields["confirm_price_change"].widget = forms.CheckboxInput()
        self.add_error(
            "price",
            f"This changes the price from {old} to {new}. If that is what you meant, tick "
            "“Confirm price change” and save again; if not, correct the price.",
        )
