"""`manage.py db_worker`: django-tasks-db's worker command, running common.worker.ResilientWorker (leases,
outages waited out). This app sits before django_tasks_db in INSTALLED_APPS, so this command wins."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from common.worker import ResilientWorker


class Command(LibraryCommand):
    help = "Run a database background worker that survives database outages and re-runs lost tasks"

    def handle(self, **options) -> None:
        self.configure_logging(options["verbosity"])
        exclude = options["exclude_queues"]
        worker = ResilientWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=exclude.split(",") if exclude else [],
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
