"""FAQ answers are plain text with price placeholders such as {price:level-i}, filled from the catalogue.

So an answer never states a price that the catalogue no longer has. A placeholder naming an unknown field
or a product that is not on sale is left as written (and logged) rather than breaking the page; the admin
form refuses to save such placeholders, and ones written almost right such as {price: level-i}, in the
first place. A product renamed since keeps answering to its former slugs (catalog.models.FormerSlug).
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString

from catalog.models import Product
from catalog.placeholders import (  # noqa: F401  (the FAQ's placeholder rules are the catalogue's)
    BRACED,
    FIELDS,
    PLACEHOLDER,
    fill_prices,
    malformed_placeholders,
    placeholder_value,
    unknown_placeholders,
)

logger = logging.getLogger(__name__)


def with_current_slugs(text: str, products: Mapping[str, Product]) -> str:
    """`text` with each placeholder naming a product by a former slug rewritten to its current slug."""

    def replace(match: re.Match) -> str:
        field, slug = match.groups()
        product = products.get(slug)
        return f"{{{field}:{product.slug}}}" if product is not None else match.group(0)

    return PLACEHOLDER.sub(replace, text)


@dataclass(frozen=True)
class RenderedAnswer:
    slug: str
    question: str
    topic: str
    text: str  # plain text with prices filled, for structured data
    html: SafeString  # escaped paragraphs, for the page


def render_answer(question, products: Mapping[str, Product]) -> RenderedAnswer:
    text = fill_prices(question.answer, products)
    return RenderedAnswer(
        slug=question.slug,
        question=question.question,
        topic=question.topic,
        text=text,
        html=SafeString(linebreaks(escape(text))),
    )
