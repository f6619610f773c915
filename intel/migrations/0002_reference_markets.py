"""Load the world's countries and main regions as markets, so ``migrate`` alone gives a usable database."""

from django.db import migrations


def load(apps, schema_editor):
    from intel.reference_data import load_reference_markets

    load_reference_markets(apps.get_model("intel", "Market"), apps.get_model("intel", "MarketAlias"))


class Migration(migrations.Migration):
    dependencies = [("intel", "0001_initial")]

    # Reversing leaves the rows: analysts may have linked records to them.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
