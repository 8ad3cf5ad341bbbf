"""Lengths finer than half days: a course's length in quarter days or in hours, the length of a
training day in the policy, and a trainer's share of a session kept on the session's trainer row.

Existing lengths keep their value (0.5 stays 0.5 days, read "Half a day"); no course had hours.
The trainers' table stays where it is: its model becomes explicit (state only) and gains the share."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_booking_policy_defaults"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="course", name="course_duration_in_range"),
        migrations.AddField(
            model_name="bookingpolicy",
            name="training_day_hours",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("7.00"),
                help_text="Courses measured in hours count this many hours as one training day.",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("1")),
                    django.core.validators.MaxValueValidator(Decimal("12")),
                ],
                verbose_name="length of a training day in hours",
            ),
        ),
        migrations.AddField(
            model_name="course",
            name="duration_hours",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="For a course measured in hours, such as a two-hour briefing.",
                max_digits=4,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.25")),
                    django.core.validators.MaxValueValidator(Decimal("24")),
                ],
                verbose_name="duration in hours",
            ),
        ),
        migrations.AlterField(
            model_name="course",
            name="duration_days",
            field=models.DecimalField(
                decimal_places=4,
                help_text="In quarter days: 0.25, 0.5, 1, 1.5 ...",
                max_digits=6,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0.01")),
                    django.core.validators.MaxValueValidator(Decimal("10")),
                ],
                verbose_name="duration in days",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("duration_days__gt", 0), ("duration_days__lte", Decimal("10"))),
                name="course_duration_days_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duration_hours__isnull", True),
                    models.Q(("duration_hours__gte", Decimal("0.25")), ("duration_hours__lte", Decimal("24"))),
                    _connector="OR",
                ),
                name="course_duration_hours_in_range",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SessionTrainer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="courses.session"),
                        ),
                        (
                            "user",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
                        ),
                    ],
                    options={"db_table": "courses_session_trainers", "unique_together": {("session", "user")}},
                ),
                migrations.AlterField(
                    model_name="session",
                    name="trainers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="sessions_delivered",
                        through="courses.SessionTrainer",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="sessiontrainer",
            name="share_days",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="Empty when they delivered the whole session.",
                max_digits=6,
                null=True,
                verbose_name="share of the session in days",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessiontrainer",
            constraint=models.CheckConstraint(
                condition=models.Q(("share_days__isnull", True), ("share_days__gt", 0), _connector="OR"),
                name="trainer_share_positive",
            ),
        ),
    ]
