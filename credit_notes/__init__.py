"""Credit notes: every refund of an invoiced order is matched by a Stripe credit note on its invoice, and the
ledger check that invoices less credit notes equal the money kept (docs/development.md "Code layout")."""
