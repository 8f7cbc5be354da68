from django import forms
from django.contrib import admin

from catalog.selectors import products_by_slug
from faq.models import Question
from faq.render import FIELDS, malformed_placeholders, unknown_placeholders, with_current_slugs


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["question", "slug", "answer", "topic", "position", "is_published"]

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"]
        malformed = malformed_placeholders(answer)
        if malformed:
            raise forms.ValidationError(
                "These placeholders are not written correctly: %(malformed)s. Write each one as "
                "{field:product-slug} in lower case with no spaces, for example {price:level-i}.",
                params={"malformed": ", ".join(malformed)},
            )
        products = products_by_slug()
        unknown = unknown_placeholders(answer, products)
        if unknown:
            raise forms.ValidationError(
                "These price placeholders cannot be filled: %(unknown)s. Use {field:product-slug} with a "
                "product on sale and one of: %(fields)s (separate value and savings apply to bundles only).",
                params={"unknown": ", ".join(unknown), "fields": ", ".join(FIELDS)},
            )
        # A product renamed since the answer was written: store its current slug (the old one would work
        # too, but the answer should read as the catalogue does now).
        return with_current_slugs(answer, products)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["question", "topic", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    prepopulated_fields = {"slug": ["question"]}
