"""One heartbeat row per Celery worker, keyed by its node name (``celery@host``).

Until now every worker wrote the one row named "worker" (from a task beat queued);
workers now write rows of their own, so that row would only ever go stale and be
reported as a dead worker called "worker": it is deleted. Heartbeats are rewritten
every minute, so nothing is lost. Going back deletes every row first, so that node
names longer than the old 50 characters cannot stop the column from shrinking.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forget_the_shared_row(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("intel", "Heartbeat").objects.filter(name="worker").delete()


def forget_every_row(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("intel", "Heartbeat").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('intel', '0014_company_merges'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='heartbeat',
            options={'ordering': ['name']},
        ),
        migrations.AlterField(
            model_name='heartbeat',
            name='name',
            field=models.CharField(help_text="The Celery worker's node name (celery@host).", max_length=255, verbose_name='worker'),
        ),
        migrations.AlterField(
            model_name='heartbeat',
            name='hostname',
            field=models.CharField(blank=True, help_text='The machine or container it runs on.', max_length=200, verbose_name='machine'),
        ),
        migrations.RunPython(forget_the_shared_row, forget_every_row),
    ]
