"""Reads of the FAQ: published questions with their prices filled from the catalogue."""

from collections.abc import Mapping, Sequence

from catalog.models import Product
from faq.models import Question
from faq.render import RenderedAnswer, render_answer


def published_answers(
    products: Mapping[str, Product], topic: str | None = None, slugs: Sequence[str] | None = None
) -> list[RenderedAnswer]:
    """Published questions (one query), answers filled from `products` (slug -> product).

    In display order, or in the order of `slugs` when a page names its questions; unknown or unpublished
    slugs are left out.
    """
    questions = Question.objects.filter(is_published=True).order_by("topic", "position", "id")
    if topic is not None:
        questions = questions.filter(topic=topic)
    if slugs is not None:
        by_slug = {question.slug: question for question in questions.filter(slug__in=slugs)}
        questions = [by_slug[slug] for slug in slugs if slug in by_slug]
    return [render_answer(question, products) for question in questions]


def answers_by_topic(answers: list[RenderedAnswer]) -> list[tuple[str, str, list[RenderedAnswer]]]:
    """(topic value, topic label, answers) in the order the topics are declared, empty topics left out."""
    groups = []
    for value, label in Question.Topic.choices:
        in_topic = [answer for answer in answers if answer.topic == value]
        if in_topic:
            groups.append((value, label, in_topic))
    return groups
