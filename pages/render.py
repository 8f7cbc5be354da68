"""Page bodies are plain text with a little structure, rendered escaped so staff never write HTML.

Blank lines separate paragraphs; a line starting with "## " is a subheading, and consecutive lines starting
with "- " make a list. `{contact_email}` becomes a link to SITE_CONTACT_EMAIL and
price placeholders (`{price:level-i}`, see catalog.placeholders) follow the catalogue.
"""

import re
from collections.abc import Iterator, Mapping
from itertools import groupby

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify

from catalog.models import Product
from catalog.placeholders import PLACEHOLDER, fill_prices, unknown_placeholders

CONTACT_EMAIL = "{contact_email}"
_BRACED_WORD = re.compile(r"\{[a-z_]+\}")


def contact_link() -> SafeString:
    return format_html('<a href="mailto:{0}">{0}</a>', settings.SITE_CONTACT_EMAIL)


def needs_products(text: str) -> bool:
    return PLACEHOLDER.search(text) is not None


def unknown_page_placeholders(text: str, products: Mapping[str, Product]) -> list[str]:
    """Placeholders in `text` that rendering would leave as written."""
    words = [word for word in _BRACED_WORD.findall(text) if word != CONTACT_EMAIL]
    return words + unknown_placeholders(text, products)


def _inline(text: str) -> str:
    html = escape(text.strip())
    return html.replace(CONTACT_EMAIL, contact_link()) if CONTACT_EMAIL in html else html


def _blocks(text: str) -> Iterator[list[str]]:
    """Runs of non-blank lines; a subheading line is always a block of its own."""
    block: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("## "):
            if block:
                yield block
                block = []
            if line:
                yield [line]
        else:
            block.append(line)
    if block:
        yield block


def render_body(text: str, products: Mapping[str, Product]) -> SafeString:
    html = []
    for block in _blocks(fill_prices(text, products)):
        if block[0].startswith("## "):
            heading = block[0][3:]
            html.append(f'<h2 id="{slugify(heading)}">{_inline(heading)}</h2>')
            continue
        for is_list, lines in groupby(block, key=lambda line: line.startswith("- ")):
            if is_list:
                html.append("<ul>" + "".join(f"<li>{_inline(line[2:])}</li>" for line in lines) + "</ul>")
            else:
                html.append("<p>" + "<br>\n".join(_inline(line) for line in lines) + "</p>")
    return SafeString("\n".join(html))
