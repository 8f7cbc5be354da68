"""Stripe credit notes read once into our own value (the values' module is checkout.stripe_values; only
checkout.stripe_gateway fetches the notes): the figures in minor units with the currency, the tax part,
the refunds a note links, its PDF under the page rule, its status and date, and what the shop wrote in its
metadata."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkout.stripe_values import Money, minor_units, object_id, stripe_page_url, stripe_time, tax_total
from common.text import single_line


@dataclass(frozen=True)
class CreditNoteValue:
    """A Stripe credit note, read once: its figures (the total, tax included; the tax part; what it returned
    outside Stripe), the refunds it links, its PDF (page rule applied) and what the shop wrote in its
    metadata (`source`, the money it answers; the order reference)."""

    id: str
    invoice_id: str
    number: str
    status: str
    pdf_url: str
    total: Money  # 0 when Stripe gave no usable figure
    tax_cents: int
    out_of_band_cents: int
    reason: str
    memo: str
    linked_refund_ids: tuple[str, ...]  # sorted
    source: str  # our metadata: "refund:re_…", "dispute:dp_…", "correction:…" ("" when none)
    order_reference: str
    created: dt.datetime | None


def _metadata(data: Mapping[str, Any], key: str, length: int) -> str:
    metadata = data.get("metadata")
    return single_line(metadata.get(key), length) if isinstance(metadata, Mapping) else ""


def credit_note_value(note: Mapping[str, Any]) -> CreditNoteValue:
    linked = note.get("refunds") if isinstance(note.get("refunds"), list | tuple) else []
    return CreditNoteValue(
        id=object_id(note.get("id")),
        invoice_id=object_id(note.get("invoice")),
        number=single_line(note.get("number"), 100),
        status=single_line(note.get("status"), 30),
        pdf_url=stripe_page_url(note.get("pdf")),
        total=Money(minor_units(note.get("total")) or 0, single_line(note.get("currency"), 3).upper()),
        tax_cents=tax_total(note),
        out_of_band_cents=minor_units(note.get("out_of_band_amount")) or 0,
        reason=single_line(note.get("reason"), 40),
        memo=single_line(note.get("memo"), 500),
        linked_refund_ids=tuple(
            sorted(
                refund_id
                for item in linked
                if isinstance(item, Mapping) and (refund_id := object_id(item.get("refund")))
            )
        ),
        source=_metadata(note, "source", 280),
        order_reference=_metadata(note, "order_reference", 20),
        created=stripe_time(note.get("created")),
    )
