from django.core.management.base import BaseCommand

from access.samples import attach_sample_files


class Command(BaseCommand):
    help = "Attach a small generated sample file to every kit that has no files (never touches uploads)."

    def handle(self, *args, **options) -> None:
        created = attach_sample_files()
        self.stdout.write(f"{len(created)} sample kit file(s) attached.")
