import django.db.models.deletion
from django.db import migrations, models

# Each tally: the table it counts, its own table, its key columns with the expression that fills each from
# a row of the counted table ({row}: NEW, OLD or the table's name), and its count column. Written out here,
# not read from the models, so that this migration installs the same triggers whatever the models become.
TALLIES = [
    (
        "courses_attendancerecord",
        "courses_registertally",
        [
            ("session_id", "{row}.session_id"),
            ("outcome", "{row}.outcome"),
            ("walk_in", "{row}.walk_in"),
            ("booked", "({row}.booking_id IS NOT NULL)"),
        ],
        "lines",
    ),
    (
        "courses_booking",
        "courses_bookingtally",
        [
            ("session_id", "{row}.session_id"),
            ("status", "{row}.status"),
            ("late_cancellation", "{row}.late_cancellation"),
        ],
        "bookings",
    ),
]


def _statements(vendor: str) -> list[str]:
    """The triggers that keep each tally: a row inserted adds one to its kind, a row deleted takes one
    away, and a row updated in any key column moves from its old kind to its new one. Kinds left at nought
    stay, counting nothing."""
    statements = []
    for source, tally, keys, count in TALLIES:
        columns = ", ".join(column for column, _ in keys)
        new = ", ".join(expression.format(row="NEW") for _, expression in keys)
        old_kind = " AND ".join(f"{column} = {expression.format(row='OLD')}" for column, expression in keys)
        add = (
            f"INSERT INTO {tally} ({columns}, {count}) VALUES ({new}, 1) "
            f"ON CONFLICT ({columns}) DO UPDATE SET {count} = {tally}.{count} + 1;"
        )
        take = f"UPDATE {tally} SET {count} = {count} - 1 WHERE {old_kind};"
        name = f"{tally}_keep"
        if vendor == "postgresql":
            moved = " OR ".join(f"{e.format(row='OLD')} IS DISTINCT FROM {e.format(row='NEW')}" for _, e in keys)
            statements += [
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {take} END IF;
  IF TG_OP <> 'DELETE' THEN {add} END IF;
  RETURN NULL;
END $$""",
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} FOR EACH ROW EXECUTE FUNCTION {name}()",
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} FOR EACH ROW EXECUTE FUNCTION {name}()",
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} FOR EACH ROW WHEN ({moved}) "
                f"EXECUTE FUNCTION {name}()",
                # TRUNCATE fires no row trigger: the tally is emptied with the table.
                f"""CREATE FUNCTION {name}_empty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {tally};
  RETURN NULL;
END $$""",
                f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {source} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {name}_empty()",
            ]
        else:  # SQLite: no functions and no row values in WHEN; IS compares as IS NOT DISTINCT FROM does.
            moved = " OR ".join(f"NOT ({e.format(row='OLD')} IS {e.format(row='NEW')})" for _, e in keys)
            statements += [
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} BEGIN {add} END",
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} BEGIN {take} END",
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} WHEN {moved} BEGIN {take} {add} END",
            ]
        # What is already recorded, counted once.
        expressions = ", ".join(expression.format(row=source) for _, expression in keys)
        statements.append(
            f"INSERT INTO {tally} ({columns}, {count}) "
            f"SELECT {expressions}, COUNT(*) FROM {source} GROUP BY {expressions}"
        )
    return statements


def _drop_statements(vendor: str) -> list[str]:
    statements = []
    for source, tally, _keys, _count in TALLIES:
        name = f"{tally}_keep"
        for event in ("insert", "delete", "update") + (("truncate",) if vendor == "postgresql" else ()):
            statements.append(
                f"DROP TRIGGER IF EXISTS {name}_{event}" + (f" ON {source}" if vendor == "postgresql" else "")
            )
        if vendor == "postgresql":
            statements += [f"DROP FUNCTION IF EXISTS {name}()", f"DROP FUNCTION IF EXISTS {name}_empty()"]
    return statements


def keep_counts(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def stop_keeping_counts(apps, schema_editor):
    for statement in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0011_bookings_by_session"),
    ]

    operations = [
        migrations.CreateModel(
            name="BookingTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting_approval", "Waiting for line manager approval"),
                            ("confirmed", "Confirmed"),
                            ("waitlisted", "On the waiting list"),
                            ("offered", "Place offered"),
                            ("cancelled", "Cancelled"),
                            ("declined", "Not approved"),
                        ],
                        max_length=20,
                    ),
                ),
                ("late_cancellation", models.BooleanField()),
                ("bookings", models.IntegerField()),
                (
                    "session",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="courses.session",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "status", "late_cancellation"), name="one_booking_tally_per_kind"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RegisterTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "outcome",
                    models.CharField(
                        choices=[("attended", "Attended"), ("partial", "Left early"), ("no_show", "Did not attend")],
                        max_length=10,
                    ),
                ),
                ("walk_in", models.BooleanField()),
                ("booked", models.BooleanField()),
                ("lines", models.IntegerField()),
                (
                    "session",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="courses.session",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "outcome", "walk_in", "booked"), name="one_register_tally_per_kind"
                    )
                ],
            },
        ),
        migrations.RunPython(keep_counts, stop_keeping_counts),
    ]
