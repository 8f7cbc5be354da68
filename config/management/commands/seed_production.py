from django.core.management import call_command
from django.core.management.base import BaseCommand

# What a real shop needs to open: each command creates what is missing and never changes what staff edited.
# Never `load_samples`: its generated kit files are for trying the shop locally (`make run`) only, and a
# deployment that loaded them would hand buyers a "sample file".
PRODUCTION_SEEDS = ("load_catalog", "load_faq", "load_pages")


class Command(BaseCommand):
    help = (
        "Load what production needs and is missing: the launch catalogue, FAQ and site pages. Never sample "
        "kit files. Safe to run on every deploy: nothing staff edited changes."
    )

    def handle(self, *args, **options) -> None:
        for name in PRODUCTION_SEEDS:
            call_command(name, verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
