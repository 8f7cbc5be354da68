"""Move learners forward as the course platform would: `simulate_course_platform CPMA-000123` or
`simulate_course_platform ana@studio.example`, once per step (learning.simulate)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning import progress, simulate
from learning.models import CourseEvent


class Command(BaseCommand):
    help = "Send the next course-platform event for every learner of an order reference or holder address."

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="+", help="Order references or holder email addresses.")
        parser.add_argument(
            "--post",
            action="store_true",
            help="Sign and POST to the running shop (needs COURSE_PLATFORM_EVENTS_SECRET on both sides) "
            "instead of storing the events in this process.",
        )
        parser.add_argument("--url", default="", help="Where to POST (default: SITE_URL's events endpoint).")
        parser.add_argument(
            "--now", action="store_true", help="Apply stored events here too, without waiting for the worker."
        )

    def handle(self, *args, targets, post, url, now, **options):
        if post and not settings.COURSE_PLATFORM_EVENTS_SECRET:
            raise CommandError("Set COURSE_PLATFORM_EVENTS_SECRET (the same for the shop) to POST events.")
        found = [grant for target in targets for grant in simulate.learners(target)]
        if not found:
            raise CommandError("No active course seat with a holder for: " + ", ".join(targets))
        for grant in found:
            for payload in simulate.next_events(grant):
                if post:
                    status = simulate.post(
                        payload, url or simulate.default_url(), settings.COURSE_PLATFORM_EVENTS_SECRET
                    )
                    outcome = f"HTTP {status}"
                else:
                    outcome = simulate.store(payload)
                    if now:
                        progress.apply(CourseEvent.objects.get(event_id=payload["id"]).pk)
                self.stdout.write(
                    f"{grant.holder_email} {grant.product.slug}: {payload['event']} ({outcome})"
                )
