"""Where each background task that moved now lives: django-tasks stores a task's dotted path in its rows, so
a row queued before a move names the old path. Old path -> new path."""

LEGACY_TASK_PATHS = {
    "access.tasks.send_access_given_email": "access.emails.send_access_given_email",
    "access.tasks.send_access_ended_email": "access.emails.send_access_ended_email",
    "access.tasks.deliver_enrolment": "access.enrolment.deliver_enrolment",
    "access.tasks.send_seats_given_email": "teams.tasks.send_seats_given_email",
    "access.tasks.send_seat_reminder_email": "teams.tasks.send_seat_reminder_email",
}
