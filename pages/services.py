"""Writes to the site pages."""

from django.db import transaction

from pages.models import Page


@transaction.atomic
def load_pages(pages: list[dict]) -> list[Page]:
    """Create the pages that do not exist yet (matched by slug); return the created ones.

    Existing pages stay exactly as staff left them.
    """
    created = []
    for data in pages:
        fields = {key: value for key, value in data.items() if key != "slug"}
        page, was_created = Page.objects.get_or_create(slug=data["slug"], defaults=fields)
        if was_created:
            created.append(page)
    return created
