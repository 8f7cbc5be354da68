"""The money records move here from checkout with their tables as they are (db_table): the state changes
app, the database does not, so every row stays where it was."""

import django.db.models.deletion
from django.db import migrations, models


MODELS = ['stripeevent', 'payment', 'refund', 'dispute', 'payout', 'payoutline']


def move_content_types(apps, schema_editor):
    """Staff permissions follow the models: their content types change app, so every group and user keeps
    what it was given (on a new database there is nothing to move yet)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="payments", model=model).exists():
            ContentType.objects.filter(app_label="checkout", model=model).update(app_label="payments")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="payments", model__in=MODELS).update(app_label="checkout")


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
                    name='Payout',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stripe_payout_id', models.CharField(max_length=255, unique=True)),
                        ('amount_cents', models.BigIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('status', models.CharField(max_length=30)),
                        ('arrival_date', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('created', models.DateTimeField(db_index=True)),
                        ('lines_fetched_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'checkout_payout',
                        'ordering': ['-created', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Dispute',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stripe_dispute_id', models.CharField(max_length=255, unique=True)),
                        ('stripe_charge_id', models.CharField(blank=True, max_length=255)),
                        ('amount_cents', models.PositiveIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('status', models.CharField(help_text="Stripe's dispute status: needs_response, won, lost…", max_length=40)),
                        ('reason', models.CharField(blank=True, max_length=100)),
                        ('created', models.DateTimeField(db_index=True, help_text="When the buyer's bank opened the dispute.")),
                        ('funds_withdrawn_at', models.DateTimeField(blank=True, null=True)),
                        ('withdrawal_balance_transaction_id', models.CharField(blank=True, max_length=255)),
                        ('funds_reinstated_at', models.DateTimeField(blank=True, null=True)),
                        ('reinstatement_balance_transaction_id', models.CharField(blank=True, max_length=255)),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='disputes', to='checkout.order')),
                    ],
                    options={
                        'db_table': 'checkout_dispute',
                        'ordering': ['created', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stripe_session_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('stripe_invoice_id', models.CharField(blank=True, help_text="A payment request's invoice.", max_length=255, null=True, unique=True)),
                        ('stripe_payment_intent_id', models.CharField(blank=True, db_index=True, max_length=255)),
                        ('stripe_charge_id', models.CharField(blank=True, db_index=True, max_length=255)),
                        ('status', models.CharField(choices=[('processing', 'Processing'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], max_length=20)),
                        ('amount_cents', models.PositiveIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('paid_at', models.DateTimeField(blank=True, db_index=True, help_text='When the money was received.', null=True)),
                        ('stripe_balance_transaction_id', models.CharField(blank=True, max_length=255)),
                        ('fee_cents', models.IntegerField(blank=True, help_text="Stripe's fee, from the balance transaction.", null=True)),
                        ('net_cents', models.IntegerField(blank=True, help_text='What Stripe pays out: amount - fee.', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='checkout.order')),
                    ],
                    options={
                        'db_table': 'checkout_payment',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='PayoutLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stripe_balance_transaction_id', models.CharField(max_length=255, unique=True)),
                        ('type', models.CharField(max_length=40)),
                        ('source_id', models.CharField(blank=True, help_text='The charge, refund or dispute id.', max_length=255)),
                        ('amount_cents', models.BigIntegerField()),
                        ('fee_cents', models.BigIntegerField()),
                        ('net_cents', models.BigIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('created', models.DateTimeField()),
                        ('payout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='payments.payout')),
                    ],
                    options={
                        'db_table': 'checkout_payoutline',
                        'ordering': ['created', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Refund',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stripe_refund_id', models.CharField(max_length=255, unique=True)),
                        ('stripe_charge_id', models.CharField(blank=True, max_length=255)),
                        ('amount_cents', models.PositiveIntegerField()),
                        ('currency', models.CharField(max_length=3)),
                        ('status', models.CharField(help_text="Stripe's refund status: pending, succeeded, failed…", max_length=30)),
                        ('reason', models.CharField(blank=True, max_length=100)),
                        ('stripe_balance_transaction_id', models.CharField(blank=True, max_length=255)),
                        ('created', models.DateTimeField(db_index=True, help_text='When the refund was made at Stripe.')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='checkout.order')),
                    ],
                    options={
                        'db_table': 'checkout_refund',
                        'ordering': ['created', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='StripeEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event_id', models.CharField(max_length=255, unique=True)),
                        ('type', models.CharField(max_length=100)),
                        ('created', models.DateTimeField(blank=True, help_text='When Stripe created the event.', null=True)),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                        ('handled_at', models.DateTimeField(blank=True, help_text='When the background task brought the order in line.', null=True)),
                        ('payload', models.JSONField(default=dict)),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stripe_events', to='checkout.order')),
                    ],
                    options={
                        'db_table': 'checkout_stripeevent',
                        'ordering': ['-received_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
