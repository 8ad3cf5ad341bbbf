"""The booking and charging policy's row, with the model's defaults: reading the policy never
creates it (BookingPolicy.current)."""

from django.db import migrations


def create_policy(apps, schema_editor):
    apps.get_model("courses", "BookingPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_booking_records_who_approved")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
