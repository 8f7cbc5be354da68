from django import template

from config.needs_attention import AttentionItem, needs_attention

register = template.Library()


@register.simple_tag
def launch_attention(user) -> list[AttentionItem]:
    """The launch checks' warnings for the admin home (staff only; empty when all is settled)."""
    if not user.is_staff:
        return []
    return needs_attention("launch")
