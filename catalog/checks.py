"""Launch checks for the catalogue (tag "launch"): what staff must settle before the shop sells for real.

Like Django's database checks they run only when the caller names the databases (`migrate`, `manage.py
check --database default`, the admin home's "Needs attention" list), so `check --deploy` on a clean clone
without data stays quiet. Each message names its product, so admin can link to it.
"""

from django.core import checks
from django.db import DatabaseError, transaction

from catalog.models import Product
from catalog.money import format_money
from catalog.seed import TO_FILL_MARK
from catalog.tax_codes import problem as tax_code_problem

LAUNCH = "launch"


def placeholder_prices(products) -> list[checks.CheckMessage]:
    return own_placeholder_prices(products) + placeholder_prices_in_other_currencies(products)


def placeholder_prices_in_other_currencies(products) -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            f"The price {format_money(row.amount_cents, row.currency)} in {row.currency} is a placeholder that "
            "staff have not confirmed.",
            hint="Set the real price under “Prices in other currencies” on the product's admin page (or "
            "delete the row to not sell in that currency), or use “Confirm prices” on the product list if "
            "the placeholder is right.",
            obj=product,
            id="catalog.W005",
        )
        for product in products
        for row in product.prices.all()
        if row.is_placeholder
    ]


def own_placeholder_prices(products) -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            f"The price {format_money(product.price_cents, product.currency)} is a placeholder that staff "
            "have not confirmed.",
            hint="Set the real price on the product's admin page, or select it in the product list and use "
            "“Confirm prices” if the placeholder is right.",
            obj=product,
            id="catalog.W001",
        )
        for product in products
        if product.price_is_placeholder
    ]


def courses_without_access_instructions(products) -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            "This course has no access instructions yet (empty, or still the seeded text asking staff to fill "
            "them), so its buyers are not told how to get into it.",
            hint="Write them under “After purchase” on the product's admin page.",
            obj=product,
            id="catalog.W002",
        )
        for product in products
        if product.kind == Product.Kind.COURSE
        and (not product.access_instructions.strip() or TO_FILL_MARK in product.access_instructions)
    ]


def kits_with_placeholder_instructions(products) -> list[checks.CheckMessage]:
    # A kit without instructions is fine (its files are listed on the purchases page); the seeded text is
    # not: it tells buyers that staff have not finished.
    return [
        checks.Warning(
            "This kit's access instructions are still the seeded text asking staff to fill them, so its "
            "buyers read that instead of how to use the kit.",
            hint="Write them under “After purchase” on the product's admin page (or empty the field).",
            obj=product,
            id="catalog.W003",
        )
        for product in products
        if product.kind == Product.Kind.KIT and TO_FILL_MARK in product.access_instructions
    ]


def products_without_tax_code(products) -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            f"{message} Without a valid tax code Stripe Tax cannot charge the right VAT on this product.",
            hint="Choose its tax code under “Price and listing” on the product's admin page.",
            obj=product,
            id="catalog.W004",
        )
        for product in products
        if (message := tax_code_problem(product.tax_code))
    ]


@checks.register(LAUNCH)
def check_catalogue_ready(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    messages = []
    for alias in databases or ():
        try:
            with transaction.atomic(using=alias):
                products = list(
                    Product.objects.using(alias)
                    .active()
                    .order_by("position", "name")
                    .prefetch_related("prices")
                )
        except DatabaseError:  # not migrated yet (migrate runs checks before it migrates): nothing to say
            continue
        messages += (
            placeholder_prices(products)
            + courses_without_access_instructions(products)
            + kits_with_placeholder_instructions(products)
            + products_without_tax_code(products)
        )
    return messages
