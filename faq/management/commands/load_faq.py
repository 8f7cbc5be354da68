from django.core.management.base import BaseCommand

from faq.seed import QUESTIONS
from faq.services import load_faq


class Command(BaseCommand):
    help = "Create the launch FAQ's missing questions. Never changes questions that already exist."

    def handle(self, *args, **options) -> None:
        created = load_faq(QUESTIONS)
        if not options["verbosity"]:
            return
        if created:
            self.stdout.write(f"Created {len(created)} questions: {', '.join(q.slug for q in created)}.")
        else:
            self.stdout.write("FAQ already loaded; nothing changed.")
