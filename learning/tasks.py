"""The task the course-platform webhook enqueues with each stored event (learning.webhook.record)."""

from common.tasks import retrying_task
from learning import progress


@retrying_task
def process_course_event(event_id: int) -> str:
    return progress.apply(event_id)
