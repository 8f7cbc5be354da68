"""Payment requests move here from checkout with their table as it is (db_table): the state changes app, the
database does not, so every row stays where it was."""

import django.db.models.deletion
from django.db import migrations, models


MODELS = ['paymentrequest']


def move_content_types(apps, schema_editor):
    """Staff permissions follow the models: their content types change app, so every group and user keeps
    what it was given (on a new database there is nothing to move yet)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="invoicing", model=model).exists():
            ContentType.objects.filter(app_label="checkout", model=model).update(app_label="invoicing")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="invoicing", model__in=MODELS).update(app_label="checkout")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('checkout', '0010_money_models_move_to_payments_and_invoicing'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PaymentRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('state', models.CharField(choices=[('sent', 'Sent'), ('viewed', 'Viewed'), ('preparing', 'Preparing the invoice'), ('issued', 'Invoice issued'), ('paid', 'Paid'), ('cancelled', 'Cancelled'), ('closed', 'Closed')], db_index=True, default='sent', max_length=20)),
                        ('token_hash', models.CharField(editable=False, help_text="SHA-256 of the payer's link token.", max_length=64, unique=True)),
                        ('buyer_name', models.CharField(max_length=200)),
                        ('buyer_email', models.EmailField(max_length=254)),
                        ('payer_name', models.CharField(max_length=200)),
                        ('payer_email', models.EmailField(max_length=254)),
                        ('ap_email', models.EmailField(blank=True, max_length=254, verbose_name='Accounts payable email')),
                        ('company_name', models.CharField(max_length=200)),
                        ('tax_id', models.CharField(blank=True, max_length=60, verbose_name='Tax ID')),
                        ('billing_country', models.CharField(max_length=2)),
                        ('po_number', models.CharField(blank=True, max_length=140, verbose_name='PO number')),
                        ('note', models.TextField(blank=True, help_text="The buyer's words to the payer.")),
                        ('sends', models.PositiveSmallIntegerField(default=1, help_text='How often the request was sent.')),
                        ('access_on_issue', models.BooleanField(default=False, help_text='Access was given when the invoice was issued (INVOICE_ACCESS_ON_ISSUE at the time); it lasts while the invoice is open or paid.')),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('viewed_at', models.DateTimeField(blank=True, null=True)),
                        ('invoice_requested_at', models.DateTimeField(blank=True, null=True)),
                        ('issued_at', models.DateTimeField(blank=True, null=True)),
                        ('paid_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('end_reason', models.CharField(blank=True, help_text='Why it was cancelled or closed.', max_length=200)),
                        ('problem', models.CharField(blank=True, help_text='Why the invoice could not be made.', max_length=500)),
                        ('stripe_customer_id', models.CharField(blank=True, max_length=255)),
                        ('stripe_invoice_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('invoice_status', models.CharField(blank=True, help_text="Stripe's invoice status.", max_length=30)),
                        ('invoice_number', models.CharField(blank=True, max_length=100)),
                        ('invoice_url', models.URLField(blank=True, max_length=2000)),
                        ('invoice_pdf_url', models.URLField(blank=True, max_length=2000)),
                        ('due_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('amount_due_cents', models.PositiveIntegerField(blank=True, null=True)),
                        ('currency', models.CharField(blank=True, max_length=3)),
                        ('cash_balance_cents', models.IntegerField(blank=True, help_text="Bank transfers on the Stripe customer's cash balance not applied to the invoice (a part payment waiting for the rest, or an overpayment).", null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_requests', to='checkout.order')),
                    ],
                    options={
                        'db_table': 'checkout_paymentrequest',
                        'ordering': ['-sent_at', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('state__in', ['sent', 'viewed', 'preparing', 'issued', 'paid'])), fields=('order',), name='one_live_payment_request_per_order')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
