from django.contrib import admin, messages
from django.db.models import Count, QuerySet

from access import enrolment, grants, manual_enrolment, purchase_links
from access.models import Download, EnrolmentDelivery, Grant, HolderToEnrol, KitFile, PurchasesLink
from common.admin import ReadOnlyAdmin, ReadOnlyInline


class KitFileInline(admin.TabularInline):
    model = KitFile
    extra = 0
    fields = ["position", "title", "file", "is_sample"]
    readonly_fields = ["is_sample"]
    verbose_name = "kit file"
    verbose_name_plural = "kit files (downloaded through signed links only, never public)"


class DownloadInline(ReadOnlyInline):
    model = Download
    fields = ["at", "file_name", "bytes"]
    readonly_fields = fields


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["order", "product", "seat", "holder_email", "state", "download_count", "created_at"]
    list_filter = ["state", "product"]
    search_fields = ["holder_email", "holder_name", "order__reference", "order__email"]
    list_select_related = ["order", "product"]
    # Holders change only through services (the buyer's seat form), so each change is emailed and logged.
    fields = readonly_fields = [
        "order",
        "line",
        "seat",
        "product",
        "holder_name",
        "holder_email",
        "state",
        "revoked_reason",
        "token",
        "created_at",
        "assigned_at",
        "revoked_at",
        "restored_at",
    ]
    inlines = [DownloadInline]
    actions = ["resend_access_email", "revoke", "restore"]

    def get_queryset(self, request) -> QuerySet[Grant]:
        return super().get_queryset(request).annotate(download_total=Count("downloads"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="downloads", ordering="download_total")
    def download_count(self, grant: Grant) -> int:
        return grant.download_total

    @admin.action(description="Revoke selected grants (the holder is emailed)")
    def revoke(self, request, queryset: QuerySet[Grant]) -> None:
        count = grants.revoke_grants(
            queryset.values_list("pk", flat=True), reason="revoked by staff", source=f"staff:{request.user}"
        )
        self.message_user(request, f"{count} grant(s) revoked.", messages.SUCCESS)

    @admin.action(description="Resend the access email to the holders of selected active grants")
    def resend_access_email(self, request, queryset: QuerySet[Grant]) -> None:
        count = grants.resend_access_emails(
            queryset.values_list("pk", flat=True), source=f"staff:{request.user}"
        )
        self.message_user(request, f"{count} access email(s) queued, one per seat.", messages.SUCCESS)

    @admin.action(description="Restore selected revoked grants")
    def restore(self, request, queryset: QuerySet[Grant]) -> None:
        count = grants.restore_grants(queryset.values_list("pk", flat=True), source=f"staff:{request.user}")
        self.message_user(request, f"{count} grant(s) restored.", messages.SUCCESS)


@admin.register(Download)
class DownloadAdmin(ReadOnlyAdmin):
    list_display = ["at", "file_name", "bytes", "grant"]
    search_fields = ["grant__holder_email", "grant__order__reference", "file_name"]
    list_select_related = ["grant", "grant__order", "grant__product"]
    date_hierarchy = "at"


@admin.register(EnrolmentDelivery)
class EnrolmentDeliveryAdmin(ReadOnlyAdmin):
    """What the course platform was told, and whether it answered: read only."""

    list_display = ["created_at", "event", "grant", "delivered_at", "cancelled_at", "attempts"]
    list_filter = ["event", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "grant__holder_email", "grant__order__reference"]
    list_select_related = ["grant", "grant__order", "grant__product"]
    date_hierarchy = "created_at"


@admin.register(HolderToEnrol)
class HolderToEnrolAdmin(admin.ModelAdmin):
    """While the course enrolment webhook is off: the course holders staff still have to enrol on the
    course platform, oldest first. "Mark enrolled" records it and emails the holder (access.manual_enrolment)."""

    list_display = ["holder_email", "holder_name", "product", "order", "seat", "assigned_at"]
    list_display_links = None
    list_filter = [("product", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["holder_email", "holder_name", "order__reference"]
    list_select_related = ["order", "product"]
    ordering = ["assigned_at", "pk"]
    actions = ["mark_enrolled"]

    def get_queryset(self, request) -> QuerySet[HolderToEnrol]:
        return manual_enrolment.waiting_for_enrolment(super().get_queryset(request))

    def has_view_permission(self, request, obj=None) -> bool:
        # With the webhook on, the course platform is told of every holder itself: no list to work through.
        return not enrolment.enabled() and super().has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Only the action: a holder is never edited here.
        return obj is None and not enrolment.enabled() and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(
        description="Mark enrolled on the course platform (the holder is emailed the course instructions)",
        permissions=["change"],
    )
    def mark_enrolled(self, request, queryset: QuerySet[HolderToEnrol]) -> None:
        count = manual_enrolment.mark_enrolled(
            queryset.values_list("pk", flat=True), staff=request.user.get_username()
        )
        self.message_user(
            request,
            f"{count} holder(s) marked enrolled; each is emailed the course instructions once.",
            messages.SUCCESS,
        )


@admin.action(description="Revoke the emailed purchases links of selected orders")
def revoke_order_links(modeladmin, request, queryset) -> None:
    """On the order list (settings.ORDER_ADMIN_ACTIONS): every live personal link of the orders."""
    count = purchase_links.revoke_order_links(
        queryset.values_list("pk", flat=True), by=f"staff:{request.user}"
    )
    modeladmin.message_user(request, f"{count} link(s) revoked; they now answer 410.", messages.SUCCESS)


@admin.register(PurchasesLink)
class PurchasesLinkAdmin(admin.ModelAdmin):
    """The personal links order emails carried (only a hash of each is kept): who, which order, used or not.
    Nothing is edited by hand; staff who may change links revoke one, all of an order's, or all of an
    address's."""

    fields = readonly_fields = [
        "order",
        "email",
        "sent_with",
        "created_at",
        "expires_at",
        "uses",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    list_display = [
        "created_at",
        "email",
        "order",
        "sent_with",
        "expires_at",
        "uses",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["sent_with", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "order__reference"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    actions = ["revoke", "revoke_order", "revoke_address"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _done(self, request, count: int) -> None:
        self.message_user(request, f"{count} link(s) revoked; they now answer 410.", messages.SUCCESS)

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request, queryset: QuerySet[PurchasesLink]) -> None:
        count = purchase_links.revoke_links(queryset.values_list("pk", flat=True), by=f"staff:{request.user}")
        self._done(request, count)

    @admin.action(description="Revoke every link of the selected links' orders", permissions=["change"])
    def revoke_order(self, request, queryset: QuerySet[PurchasesLink]) -> None:
        orders = set(queryset.values_list("order_id", flat=True))
        self._done(request, purchase_links.revoke_order_links(orders, by=f"staff:{request.user}"))

    @admin.action(
        description="Revoke every link of the selected links' addresses (all orders)", permissions=["change"]
    )
    def revoke_address(self, request, queryset: QuerySet[PurchasesLink]) -> None:
        emails = set(queryset.values_list("email", flat=True))
        self._done(request, purchase_links.revoke_address_links(emails, by=f"staff:{request.user}"))
