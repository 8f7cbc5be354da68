from django.core.management.base import BaseCommand

from config.public_cache import bump_public_cache


class Command(BaseCommand):
    help = (
        "Make every cached public page stale. Run it once a deploy has finished, so pages rendered by the "
        "previous release's templates are not served again."
    )

    def handle(self, *args, **options) -> None:
        bump_public_cache()
        if options["verbosity"]:
            self.stdout.write("Public page cache invalidated.")
