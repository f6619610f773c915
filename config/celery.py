"""The Celery application. Workers and beat are started with ``celery -A config``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rivalscope")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
