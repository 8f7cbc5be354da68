from django.core.management.base import BaseCommand

from catalog.seed import PRODUCTS
from catalog.services import load_catalog


class Command(BaseCommand):
    help = "Create the launch catalogue's missing products. Never changes products that already exist."

    def handle(self, *args, **options) -> None:
        created = load_catalog(PRODUCTS)
        if not options["verbosity"]:
            return
        if created:
            self.stdout.write(f"Created {len(created)} products: {', '.join(p.slug for p in created)}.")
        else:
            self.stdout.write("Catalogue already loaded; nothing changed.")
