from django.contrib import admin

from faq.models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}
