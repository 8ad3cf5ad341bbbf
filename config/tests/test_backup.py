"""The backup procedure in docs/security.md works: pg_dump, restore into an empty database,
and the records (and the Board's figures) come back the same."""

import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from accounts.factories import AgencyFactory, UserFactory
from courses.factories import AttendanceRecordFactory, BookingFactory, SessionFactory
from courses.models import Attendance

TABLES = [
    "accounts_user",
    "accounts_agency",
    "courses_session",
    "courses_booking",
    "courses_attendancerecord",
    "accounts_auditentry",
]


def counts_and_checksum(dsn: dict) -> dict:
    with psycopg2.connect(**dsn) as conn, conn.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            result[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT md5(string_agg(person_id::text || outcome || session_id::text, ',' ORDER BY id)) "
            "FROM courses_attendancerecord"
        )
        result["attendance checksum"] = cursor.fetchone()[0]
    return result


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_restores_into_an_empty_database_with_every_record(tmp_path, target_groups):
    agency = AgencyFactory(name="Northshire Police")
    session = SessionFactory(days_ahead=-3)
    for outcome in (Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.PARTIAL):
        person = UserFactory(agency=agency)
        AttendanceRecordFactory(
            session=session,
            person=person,
            agency=agency,
            outcome=outcome,
            booking=BookingFactory(session=session, person=person, agency=agency),
        )
    s = connection.settings_dict
    server = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"]}
    original = {**server, "dbname": s["NAME"]}
    copy = {**server, "dbname": f"restore_{uuid.uuid4().hex[:8]}"}
    dump = tmp_path / "lscb.dump"
    base = ["-h", str(server["host"]), "-p", str(server["port"]), "-U", server["user"]]
    subprocess.run(
        ["pg_dump", *base, "--format=custom", "--no-owner", f"--file={dump}", original["dbname"]], check=True
    )
    subprocess.run(["createdb", *base, copy["dbname"]], check=True)
    try:
        subprocess.run(
            ["pg_restore", *base, "--no-owner", "--exit-on-error", f"--dbname={copy['dbname']}", str(dump)], check=True
        )
        before, after = counts_and_checksum(original), counts_and_checksum(copy)
        assert after == before
        assert after["courses_attendancerecord"] == 3
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", copy["dbname"]], check=True)
