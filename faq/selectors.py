"""Reads of the FAQ: published questions with their prices filled from the catalogue."""

from collections.abc import Mapping

from catalog.models import Product
from faq.models import Question
from faq.render import RenderedAnswer, render_answer


def published_answers(products: Mapping[str, Product], topic: str | None = None) -> list[RenderedAnswer]:
    """Published questions in display order (one query), answers filled from `products` (slug -> product)."""
    questions = Question.objects.filter(is_published=True).order_by("topic", "position", "id")
    if topic is not None:
        questions = questions.filter(topic=topic)
    return [render_answer(question, products) for question in questions]


def answers_by_topic(answers: list[RenderedAnswer]) -> list[tuple[str, str, list[RenderedAnswer]]]:
    """(topic value, topic label, answers) in the order the topics are declared, empty topics left out."""
    groups = []
    for value, label in Question.Topic.choices:
        in_topic = [answer for answer in answers if answer.topic == value]
        if in_topic:
            groups.append((value, label, in_topic))
    return groups
