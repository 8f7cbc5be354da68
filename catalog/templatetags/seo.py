import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script: the JSON cannot close the script element early.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(items: list[dict]) -> str:
    """`{{ structured_data|ld_json }}`: one JSON-LD script holding every item."""
    data = {"@context": "https://schema.org", "@graph": list(items)}
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    # Safe: the escapes above leave no markup characters in the payload.
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
