from django.core.management.base import BaseCommand

from pages.seed import PAGES
from pages.services import load_pages


class Command(BaseCommand):
    help = "Create the launch site pages that are missing. Never changes pages that already exist."

    def handle(self, *args, **options) -> None:
        created = load_pages(PAGES)
        if not options["verbosity"]:
            return
        if created:
            self.stdout.write(f"Created {len(created)} pages: {', '.join(p.slug for p in created)}.")
        else:
            self.stdout.write("Site pages already loaded; nothing changed.")
