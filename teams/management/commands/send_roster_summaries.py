"""Queue this week's roster summary to each buyer with seats not claimed or not started (teams.roster_summary).
Safe to run more often: each order gets at most one a week."""

from django.core.management.base import BaseCommand

from teams.roster_summary import queue_summaries


class Command(BaseCommand):
    help = "Email each team buyer this week's summary of seats not claimed or not started (once a week)."

    def handle(self, *args, **options):
        queued = queue_summaries()
        self.stdout.write(f"{len(queued)} summar{'y' if len(queued) == 1 else 'ies'} queued.")
