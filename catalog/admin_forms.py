"""The product form staff edit: the price as money in the product's currency, checked before it is saved."""

from decimal import Decimal

from django import forms

from catalog.models import Product, ProductPrice
from catalog.money import MAX_AMOUNT, SHOP_CURRENCIES, format_money, to_decimal, to_minor_units
from catalog.rules import price_change_needs_confirmation


class PriceRules:
    """The rules every staff-typed price follows (the product's own and its prices in other currencies):
    money typed as shown, within the range Stripe takes, and a change of more than half (or of currency)
    saved only once "Confirm price change" is ticked. `price_before` is (cents, currency) as saved."""

    price_before: tuple[int, str] | None

    def cents_to_save(self, data: dict, field: str, *, range_note: str = "") -> int | None:
        """The price in minor units, or None with the reason added to `field` (or nothing typed yet)."""
        amount, currency = data.get(field), data.get("currency")
        if amount is None or not currency:
            return None
        try:
            cents = to_minor_units(amount, currency)
        except ValueError as exc:
            self.add_error(field, str(exc))
            return None
        if not 1 <= cents <= MAX_AMOUNT:
            self.add_error(
                field,
                f"The price must be from {format_money(1, currency)} to {format_money(MAX_AMOUNT, currency)}"
                f"{range_note}.",
            )
            return None
        if self.price_before and not data.get("confirm_price_change"):
            old_cents, old_currency = self.price_before
            if price_change_needs_confirmation(
                old_cents=old_cents, old_currency=old_currency, new_cents=cents, new_currency=currency
            ):
                self.fields["confirm_price_change"].widget = forms.CheckboxInput()
                self.add_error(
                    field,
                    f"This changes the price from {format_money(old_cents, old_currency)} to "
                    f"{format_money(cents, currency)}. If that is what you meant, tick “Confirm price change” "
                    "and save again; if not, correct the price.",
                )
                return None
        return cents


class ProductAdminForm(PriceRules, forms.ModelForm):
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
        cents = self.cents_to_save(data, "price")
        if cents is not None:
            self.instance.price_cents = cents
        return data


class ProductPriceForm(PriceRules, forms.ModelForm):
    """A price in pounds or euros beside the product's own: typed as money (`119` or `119.00`), held to the
    same range and the same confirm-on-big-change rule as the product's own price."""

    amount = forms.DecimalField(
        label="Price",
        min_value=Decimal("0"),
        max_digits=12,
        help_text="In this row's currency, as buyers see it: 119.00 for £119.",
        error_messages={
            "invalid": "Enter the price as a number such as 119.00: digits and one dot, no commas."
        },
    )
    confirm_price_change = forms.BooleanField(
        label="Confirm price change",
        required=False,
        widget=forms.HiddenInput,
        help_text="Tick to save a price more than half above or below the current one.",
    )

    class Meta:
        model = ProductPrice
        fields = ["currency"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance
        self.price_before: tuple[int, str] | None = (saved.amount_cents, saved.currency) if saved.pk else None
        if self.price_before:
            self.initial.setdefault("amount", to_decimal(saved.amount_cents, saved.currency))

    def clean(self) -> dict:
        data = super().clean()
        cents = self.cents_to_save(
            data, "amount", range_note="; to stop selling in this currency, delete the row instead"
        )
        if cents is None:
            return data
        if self.price_before != (cents, data["currency"]):
            self.instance.is_placeholder = False  # staff typed a price: it is theirs now
        self.instance.amount_cents = cents
        return data
