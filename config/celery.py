"""The Celery application. Workers and beat are started with ``celery -A config``."""

import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from celery import Celery, bootsteps, signals

if TYPE_CHECKING:
    from intel.health import HeartbeatWriter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rivalscope")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker writes its own heartbeat row, keyed by its node name (``celery@host``).

    A step of the worker itself, not a task: a task that beat queues is run by
    whichever worker takes it first, so it proves that some worker is alive, never
    which. Nor Celery's ``heartbeat_sent`` signal: it fires only where worker events
    are on (``--without-heartbeat`` turns them off) and every 2 s.

    It is a consumer step after the broker connection, so it runs only while the
    worker is connected: a worker that lost the broker stops beating (``stop``) and
    goes stale until it reconnects (``start`` again). A clean shutdown deletes the row
    (``shutdown``), so a worker stopped on purpose is not reported as dead; one that
    was killed leaves its row to go stale.
    """

    requires = ("celery.worker.consumer.connection:Connection",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        # Made on start: intel.health imports models, which cannot load before Django is set up.
        self.writer: HeartbeatWriter | None = None

    def start(self, parent: Any) -> None:
        from intel.health import HeartbeatWriter, heartbeat_interval

        if self.writer is None:
            self.writer = HeartbeatWriter(parent.hostname, interval=heartbeat_interval(), hostname=socket.gethostname())
        self.writer.start()

    def stop(self, parent: Any) -> None:
        if self.writer is not None:
            self.writer.stop()

    terminate = stop

    def shutdown(self, parent: Any) -> None:
        from django.db import connection

        from intel.health import forget_heartbeat

        self.stop(parent)
        try:
            forget_heartbeat(parent.hostname)
        except Exception:
            logger.warning("could not delete the heartbeat of %s", parent.hostname, exc_info=True)
        finally:
            connection.close()


app.steps["consumer"].add(WorkerHeartbeat)


@signals.setup_logging.connect
def _log_like_django(loglevel: int | None = None, **kwargs: Any) -> None:
    """Workers and beat log through Django's ``LOGGING``, so ``LOG_FORMAT=json`` covers them too.

    Without a receiver for this signal Celery empties the root logger's handlers
    (``worker_hijack_root_logger``) and installs its own text handlers, the task
    loggers' among them, which do not pass records on: task lines would stay text
    whatever the settings say. ``--loglevel`` can make a worker more verbose than
    ``LOG_LEVEL``, never quieter (its default is WARNING), so one variable sets the
    level of every process.

    Celery no longer turns ``print()`` into log lines then (``worker_redirect_stdouts``):
    standard error carries only log lines; Celery's banner and anything printed go to
    standard output, as the banner always did.
    """
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)  # as django.setup() does
    root = logging.getLogger()
    if loglevel and loglevel < root.level:
        root.setLevel(loglevel)


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
