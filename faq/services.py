"""Writes to the FAQ."""

from django.db import transaction

from faq.models import Question


@transaction.atomic
def load_faq(questions: list[dict]) -> list[Question]:
    """Create the questions that do not exist yet (matched by slug); return the created ones.

    Existing questions, including unpublished or edited ones, stay exactly as staff left them.
    """
    created = []
    for data in questions:
        fields = {key: value for key, value in data.items() if key != "slug"}
        question, was_created = Question.objects.get_or_create(slug=data["slug"], defaults=fields)
        if was_created:
            created.append(question)
    return created
