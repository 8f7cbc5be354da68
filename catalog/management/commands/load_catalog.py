from django.core.management.base import BaseCommand

from catalog.seed import PRODUCTS
from catalog.services import load_catalog
from config.public_cache import bump_public_cache


class Command(BaseCommand):
    help = "Create the launch catalogue's missing products. Never changes products that already exist."

    def handle(self, *args, **options) -> None:
        created = load_catalog(PRODUCTS)
        if created:
            bump_public_cache()
        if not options["verbosity"]:
            return
        if created:
            self.stdout.write(f"Created {len(created)} products: {', '.join(p.slug for p in created)}.")
        else:
            self.stdout.write("Catalogue already loaded; nothing changed.")
