"""Load the built-in thematic tags and their rules (market entry, budget pricing, …)."""

from django.db import migrations


def load(apps, schema_editor):
    from intel.builtin_tags import load_builtin_tags

    load_builtin_tags(apps.get_model("intel", "Tag"), apps.get_model("intel", "TagRule"))


class Migration(migrations.Migration):
    dependencies = [("intel", "0002_reference_markets")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
