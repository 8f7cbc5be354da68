"""What the course platform said, for staff: events as received, progress and certificates (read-only:
they come from the platform; the holder alone hides a certificate page)."""

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from learning.models import Certificate, CourseEvent, Progress, SummaryOptOut


@admin.register(CourseEvent)
class CourseEventAdmin(ReadOnlyAdmin):
    list_display = [
        "event_id",
        "type",
        "holder_email",
        "product",
        "happened_at",
        "received_at",
        "processed_at",
    ]
    list_filter = ["type", "product"]
    search_fields = ["event_id", "holder_email"]
    list_select_related = ["product"]


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = ["holder_email", "product", "started_at", "percent", "passed_at", "updated_at"]
    list_filter = ["product"]
    search_fields = ["holder_email"]
    list_select_related = ["product"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["holder_name", "holder_email", "product", "issued_on", "valid", "hidden_at", "code"]
    list_filter = ["product"]
    search_fields = ["holder_email", "holder_name", "code", "platform_id"]
    list_select_related = ["product"]

    @admin.display(boolean=True)
    def valid(self, certificate: Certificate) -> bool:
        return certificate.valid


@admin.register(SummaryOptOut)
class SummaryOptOutAdmin(ReadOnlyAdmin):
    list_display = ["order", "at"]
    search_fields = ["order__reference", "order__email"]
