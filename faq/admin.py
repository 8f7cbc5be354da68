from django import forms
from django.contrib import admin

from catalog.selectors import products_by_slug
from faq.models import Question
from faq.render import FIELDS, unknown_placeholders


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["question", "slug", "answer", "topic", "position", "is_published"]

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"]
        unknown = unknown_placeholders(answer, products_by_slug())
        if unknown:
            raise forms.ValidationError(
                "These price placeholders cannot be filled: %(unknown)s. Use {field:product-slug} with a "
                "product on sale and one of: %(fields)s (separate value and savings apply to bundles only).",
                params={"unknown": ", ".join(unknown), "fields": ", ".join(FIELDS)},
            )
        return answer


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["question", "topic", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}
