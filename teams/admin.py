from django.contrib import admin
from django.db.models import Min, QuerySet

from access.models import Grant
from common.admin import ReadOnlyInline
from teams import seat_table


class OrderSeatInline(ReadOnlyInline):
    """On the order's admin page (settings.ORDER_ADMIN_INLINES): one row per seat, its holder and how far
    they have got, as the buyer's seat table shows it."""

    model = Grant
    fields = ["seat_number", "product_line", "holder_name", "holder_email", "seat_state"]
    readonly_fields = fields
    verbose_name = "seat"
    verbose_name_plural = "seats (holder and state; each grant is in the Grants list)"

    def get_queryset(self, request) -> QuerySet[Grant]:
        first_of_seat = (
            Grant.objects.order_by().values("line_id", "seat").annotate(first=Min("pk")).values("first")
        )
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=first_of_seat)
            .select_related("line", "order")
            .order_by("line_id", "seat")
        )

    def _rows(self, grant: Grant) -> dict:
        cache = self.__dict__.setdefault("_rows_by_order", {})
        if grant.order_id not in cache:
            rows = seat_table.seat_rows(grant.order)
            cache[grant.order_id] = {(r.line.pk, r.number): r for r in rows}
        return cache[grant.order_id]

    @admin.display(description="seat")
    def seat_number(self, grant: Grant) -> int:
        return grant.seat

    @admin.display(description="of")
    def product_line(self, grant: Grant) -> str:
        return grant.line.product_name

    @admin.display(description="state")
    def seat_state(self, grant: Grant) -> str:
        row = self._rows(grant).get((grant.line_id, grant.seat))
        if row is None:
            return ""
        return f"{row.label} ({row.since:%Y-%m-%d %H:%M})" if row.since else row.label
