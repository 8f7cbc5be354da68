from django.db import migrations, models

# The launch placeholders (catalog.seed): a product still at one of these prices was never confirmed.
LAUNCH_PLACEHOLDERS = {"level-ii": 19700, "resume-kit": 6700, "ai-kit": 8700}


def flag_launch_placeholders(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    for slug, cents in LAUNCH_PLACEHOLDERS.items():
        Product.objects.filter(slug=slug, price_cents=cents, currency="USD").update(price_is_placeholder=True)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_product_access_instructions"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="price_is_placeholder",
            field=models.BooleanField(
                default=False,
                help_text="The price is a stand-in that staff have not confirmed yet. Saving a new price, or the “Confirm prices” action on the product list, confirms it.",
                verbose_name="placeholder price",
            ),
        ),
        migrations.RunPython(flag_launch_placeholders, migrations.RunPython.noop),
    ]
