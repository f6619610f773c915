"""The Celery application. Workers and beat are started with ``celery -A config``."""

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rivalscope")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**kwargs: Any) -> None:
    """Treat each task like a web request: close connections past CONN_MAX_AGE or broken.

    Celery's own fixup would close them all around every task; CELERY_DB_REUSE_MAX
    turns that off (see the settings), and this keeps connections healthy instead.
    """
    task = kwargs.get("task")
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's process, inside the caller's transaction
    from django.db import close_old_connections

    close_old_connections()
