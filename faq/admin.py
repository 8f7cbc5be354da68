from django.contrib import admin

from config.public_cache import BumpsPublicCacheAdmin
from faq.models import Question


@admin.register(Question)
class QuestionAdmin(BumpsPublicCacheAdmin, admin.ModelAdmin):
    list_display = ["question", "topic", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}
