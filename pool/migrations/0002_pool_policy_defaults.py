"""The trainer pool's rules, with the model's defaults: reading them never creates the row
(PoolPolicy.current)."""

from django.db import migrations


def create_policy(apps, schema_editor):
    PoolPolicy = apps.get_model("pool", "PoolPolicy")
    if not PoolPolicy.objects.exists():
        PoolPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("pool", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
