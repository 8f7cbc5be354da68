"""`manage.py db_worker`: django-tasks-db's worker command, running common.worker.ResilientWorker (leases,
outages waited out). This app sits before django_tasks_db in INSTALLED_APPS, so this command wins.

Without `--queue-name` a worker takes every queue (`make run`, `make serve`, one worker for all); production
runs workers per queue (`--queue-name payments`, `--queue-name mail`, `--queue-name default`: deploy/)."""

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from common.worker import ResilientWorker

ALL_QUEUES = "*"


class Command(LibraryCommand):
    help = "Run a database background worker that survives database outages and re-runs lost tasks"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name=ALL_QUEUES)

    def handle(self, **options) -> None:
        self.configure_logging(options["verbosity"])
        queues = options["queue_name"].split(",")
        exclude = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        known = set(settings.TASKS[options["backend_name"]].get("QUEUES", ["default"]))
        unknown = sorted(set(queues + exclude) - known - {ALL_QUEUES})
        if unknown:
            # A worker for a misspelt queue would wait forever for work nothing enqueues.
            raise CommandError(
                f"Unknown queue {', '.join(unknown)}: the queues are {', '.join(sorted(known))}."
            )
        if exclude and ALL_QUEUES not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=exclude,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
