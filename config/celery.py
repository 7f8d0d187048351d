"""The Celery app: broker and schedule come from Django settings (`CELERY_*`).

`enqueue_on_commit` is how the domain apps hand work to Celery: after the transaction commits, and never at the
cost of the request. When the broker (Redis) is down the task is not sent; the error is logged and the committed
data stands. Every task sent this way is either idempotent follow-up work that a periodic job also performs
(reminders and escalations: `process_deadlines_task`), or visible in the database as still pending.
"""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hailong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send_task_safely(task, *args) -> bool:
    """Send `task` with `args` now; False (and a logged error) when the broker cannot take it."""
    if app.conf.task_always_eager:
        # No broker: the task runs here, and its own errors propagate as they would in a worker's log.
        task.delay(*args)
        return True
    try:
        task.delay(*args)
    except (BrokerError, OSError):
        # A broker outage must not turn a stored rating or case into an error page: the data is committed.
        logger.exception("Celery: could not enqueue %s%r; the broker is unavailable", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Send `task` with `args` once the current transaction commits (at once outside a transaction)."""
    from django.db import transaction

    transaction.on_commit(lambda: send_task_safely(task, *args))
