from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0010_register_lines_by_session"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["session"],
                include=("status", "late_cancellation", "agency"),
                name="bookings_by_session",
            ),
        ),
    ]
