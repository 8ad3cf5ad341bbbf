"""Every named URL against every role, with the expected answer in one table.

A URL added without an entry here fails `test_every_named_url_has_an_entry`.
Objects belong to agency A; "404" means the object is outside that person's
scope, so its existence does not leak. Board members see figures, never people.
The admin site is Django's own: it needs `is_staff`, which no role grants.
"""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from courses.certificates import issue_certificate
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    PathwayRuleFactory,
    SessionFactory,
    VenueFactory,
)
from courses.models import Attendance, Level
from courses.services.charges import raise_no_show_charge
from evaluation.models import Item, PracticeIssue, Questionnaire
from pool.factories import MembershipCriterionFactory, MembershipFactory
from pool.models import Assignment, MembershipStatus
from reports.models import ReportKind, ReportRun, RunStatus
from tna import services as tna_services
from tna.models import TnaCycle, TrainingYear

ROLES = ("anonymous", "staff", "lead_a", "lead_b", "trainer", "manager", "board")


def row(anonymous, staff, lead_a, lead_b, trainer, manager, board):
    return dict(zip(ROLES, (anonymous, staff, lead_a, lead_b, trainer, manager, board)))


PUBLIC = row(200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = row(302, 200, 200, 200, 200, 200, 200)
MANAGER_ONLY = row(302, 403, 403, 403, 403, 200, 403)
POST_ONLY = row(405, 405, 405, 405, 405, 405, 405)
AGENCY_A_OBJECT = row(302, 404, 200, 404, 404, 200, 404)
AGENCY_A_MANAGED = row(302, 404, 403, 404, 404, 200, 404)
ANONYMOUS_ONLY = row(200, 302, 302, 302, 302, 302, 302)

# name: (url arguments from the world, expected status per role)
MATRIX = {
    "home": ((), PUBLIC),
    "healthz": ((), PUBLIC),
    "accessibility": ((), PUBLIC),
    "privacy": ((), PUBLIC),
    "accounts:sign-up": ((), ANONYMOUS_ONLY),
    "accounts:check-email": ((), PUBLIC),
    "accounts:resend-verification": ((), PUBLIC),
    "accounts:verify-email": (("bad_token",), row(400, 400, 400, 400, 400, 400, 400)),
    "accounts:sign-in": ((), ANONYMOUS_ONLY),
    "accounts:sign-out": ((), POST_ONLY),
    "accounts:signed-out": ((), PUBLIC),
    "accounts:password-reset": ((), PUBLIC),
    "accounts:password-reset-sent": ((), PUBLIC),
    "accounts:password_reset_confirm": (("bad_uid", "bad_token"), PUBLIC),
    "accounts:password-change": ((), SIGNED_IN),
    "accounts:sign-in-code": ((), row(302, 302, 302, 302, 302, 302, 302)),
    "accounts:two-step": ((), row(302, 403, 403, 403, 403, 200, 200)),
    "manage:person-two-step-off": (("person_a",), POST_ONLY),
    "accounts:profile": ((), SIGNED_IN),
    "accounts:edit-profile": ((), SIGNED_IN),
    "accounts:my-data": ((), SIGNED_IN),
    "manage:people": ((), row(302, 403, 200, 200, 403, 200, 403)),
    "manage:person": (("person_a",), AGENCY_A_OBJECT),
    "manage:person-roles": (("person_a",), AGENCY_A_MANAGED),
    "manage:person-agency": (("person_a",), AGENCY_A_MANAGED),
    "manage:person-deactivate": (("person_a",), AGENCY_A_MANAGED),
    "manage:person-reactivate": (("person_a",), POST_ONLY),
    "manage:agency-claims": ((), row(302, 403, 200, 200, 403, 200, 403)),
    "manage:agency-claim": (("claim_a",), row(302, 403, 200, 404, 403, 200, 403)),
    "manage:audit": ((), MANAGER_ONLY),
    "manage:retention": ((), MANAGER_ONLY),
    "manage:person-erase": (("person_a",), MANAGER_ONLY),
    "manage:agencies": ((), MANAGER_ONLY),
    "manage:agency-new": ((), MANAGER_ONLY),
    "manage:agency": (("agency_a",), AGENCY_A_OBJECT),
    "manage:agency-edit": (("agency_a",), MANAGER_ONLY),
    "courses:catalogue": ((), PUBLIC),
    "courses:course": (("course_slug",), PUBLIC),
    "courses:my-training": ((), SIGNED_IN),
    "courses:agency-training": ((), row(302, 403, 200, 200, 403, 200, 403)),
    "courses:person-training": (("person_a",), row(302, 403, 200, 404, 403, 200, 403)),
    "courses:session": (("session",), PUBLIC),
    "courses:book": (("session",), POST_ONLY),
    "courses:booking": (("booking",), AGENCY_A_OBJECT),
    "courses:booking-calendar": (("booking",), AGENCY_A_OBJECT),
    "courses:cancel-booking": (("booking",), AGENCY_A_OBJECT),
    "courses:accept-offer": (("booking",), POST_ONLY),
    "courses:approval": (("bad_token",), row(400, 400, 400, 400, 400, 400, 400)),
    "courses:register": (("session",), row(302, 404, 404, 404, 200, 200, 404)),
    "courses:manage-sessions": ((), MANAGER_ONLY),
    "courses:manage-session-new": ((), MANAGER_ONLY),
    "courses:manage-session": (("session",), MANAGER_ONLY),
    "courses:manage-session-edit": (("session",), MANAGER_ONLY),
    "courses:manage-session-copy": (("session",), MANAGER_ONLY),
    "courses:manage-session-cancel": (("session",), MANAGER_ONLY),
    "courses:manage-courses": ((), MANAGER_ONLY),
    "courses:manage-course-new": ((), MANAGER_ONLY),
    "courses:manage-course-edit": (("course",), MANAGER_ONLY),
    "courses:manage-venues": ((), MANAGER_ONLY),
    "courses:manage-venue-new": ((), MANAGER_ONLY),
    "courses:manage-venue-edit": (("venue",), MANAGER_ONLY),
    "courses:manage-pathway": ((), MANAGER_ONLY),
    "courses:manage-pathway-remove": (("rule",), POST_ONLY),
    "courses:manage-level-new": ((), MANAGER_ONLY),
    "courses:manage-level-edit": (("level",), MANAGER_ONLY),
    "courses:manage-group-new": ((), MANAGER_ONLY),
    "courses:manage-group-edit": (("group",), MANAGER_ONLY),
    "courses:manage-policy": ((), MANAGER_ONLY),
    "courses:charges": ((), row(302, 403, 200, 200, 403, 200, 403)),
    "courses:charge-waive": (("charge",), AGENCY_A_MANAGED),
    "courses:verify-certificate": ((), PUBLIC),
    "courses:certificate": (("certificate",), AGENCY_A_OBJECT),
    "tna:index": ((), row(302, 403, 302, 200, 403, 302, 403)),  # lead_b has no return yet: the page to start it
    "tna:new": ((), MANAGER_ONLY),
    "tna:return": (("tna_return",), AGENCY_A_OBJECT),
    "tna:check": (("tna_return",), AGENCY_A_OBJECT),
    "tna:reopen": (("tna_return",), MANAGER_ONLY),
    "tna:section": (("tna_return", "staff"), AGENCY_A_OBJECT),
    "tna:cycle": (("cycle",), MANAGER_ONLY),
    "tna:export": (("cycle",), MANAGER_ONLY),
    "tna:import": (("cycle",), MANAGER_ONLY),
    "tna:attendance": (("year",), row(302, 403, 403, 403, 403, 200, 200)),
    "tna:contributions": (("year",), MANAGER_ONLY),
    "tna:attendance-latest": ((), row(302, 403, 403, 403, 403, 302, 302)),
    "pool:index": ((), row(302, 302, 302, 302, 302, 302, 302)),
    "pool:mine": ((), SIGNED_IN),
    "pool:apply": ((), SIGNED_IN),
    "pool:leave": ((), row(302, 302, 302, 302, 302, 302, 302)),
    "pool:respond": (("assignment",), row(302, 404, 404, 404, 200, 404, 404)),
    "pool:withdraw": (("assignment",), POST_ONLY),
    "pool:respond-link": (("bad_token",), row(400, 400, 400, 400, 400, 400, 400)),
    "pool:applications": ((), row(302, 403, 200, 200, 403, 200, 403)),
    "pool:members": ((), MANAGER_ONLY),
    "pool:member": (("membership",), AGENCY_A_OBJECT),
    "pool:endorse": (("membership",), row(302, 404, 200, 404, 404, 403, 404)),
    "pool:review": (("endorsed",), MANAGER_ONLY),
    "pool:status": (("membership",), MANAGER_ONLY),
    "pool:criteria": ((), MANAGER_ONLY),
    "pool:criterion-new": ((), MANAGER_ONLY),
    "pool:criterion-edit": (("criterion",), MANAGER_ONLY),
    "pool:policy": ((), MANAGER_ONLY),
    "pool:commitments": ((), MANAGER_ONLY),
    "pool:commitments-edit": (("year",), MANAGER_ONLY),
    "pool:agency": (("agency_a",), AGENCY_A_OBJECT),
    "pool:my-agency": ((), row(302, 403, 302, 302, 403, 403, 403)),
    "pool:delivery": ((), MANAGER_ONLY),
    "pool:session-trainers": (("session",), MANAGER_ONLY),
    "evaluation:answer": (("bad_token",), row(400, 400, 400, 400, 400, 400, 400)),
    "evaluation:index": ((), MANAGER_ONLY),
    "evaluation:questionnaire": (("questionnaire",), MANAGER_ONLY),
    "evaluation:remove-item": (("item",), POST_ONLY),
    "evaluation:course-settings": (("course",), MANAGER_ONLY),
    "evaluation:course-results": (("course",), row(302, 403, 403, 403, 403, 200, 200)),
    "evaluation:session-results": (("session",), row(302, 403, 403, 403, 403, 200, 200)),
    "evaluation:observations": (("session",), MANAGER_ONLY),
    "evaluation:comments": ((), MANAGER_ONLY),
    "evaluation:focus-groups": ((), MANAGER_ONLY),
    "evaluation:issues": ((), MANAGER_ONLY),
    "evaluation:issue": (("issue",), MANAGER_ONLY),
    "transfer:imports": ((), MANAGER_ONLY),
    "transfer:confirm": ((), row(302, 403, 403, 403, 403, 302, 403)),
    "transfer:export": ((), row(302, 403, 403, 403, 403, 302, 403)),
    "transfer:example": (("people",), MANAGER_ONLY),
    "reports:dashboard": ((), row(302, 403, 403, 403, 403, 200, 200)),
    "reports:runs": ((), row(302, 403, 200, 200, 403, 200, 200)),
    "reports:run": (("report_run",), row(302, 404, 200, 404, 404, 200, 200)),
    "reports:download": (("report_run",), row(302, 404, 200, 404, 404, 200, 200)),
    "reports:table-csv": (("year", "headlines"), row(302, 403, 403, 403, 403, 200, 200)),
}


def named_urls(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from named_urls(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_has_an_entry():
    found = {name for name in named_urls() if not name.startswith("admin:")}
    assert found - set(MATRIX) == set(), "add these URLs to the permission matrix"
    assert set(MATRIX) - found == set(), "these entries name URLs that no longer exist"


def standard_questionnaire():
    from evaluation.services import ensure_standard_questionnaires

    ensure_standard_questionnaires()
    return Questionnaire.objects.first()


def agency_report_run(agency, year):
    run = ReportRun.objects.create(
        kind=ReportKind.AGENCY,
        parameters={"year": year.pk, "agency": agency.pk},
        agency=agency,
        title=f"Agency training report: {agency.name}",
        status=RunStatus.DONE,
    )
    run.file.save("report.pdf", ContentFile(b"%PDF-1.4 a finished report"))
    return run


@pytest.fixture
def world(db, target_groups, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agency_a = AgencyFactory(name="Northshire Police", sector="police", contributing=False)
    agency_b = AgencyFactory(name="Riverside Academy Trust", sector="education")
    person_a = UserFactory(full_name="Aisha Khan", agency=agency_a, target_group=target_groups[3])
    delivering = trainer(full_name="Grace Okafor", agency=agency_b)
    course = CourseFactory(title="Working Together to Safeguard Children")
    session = SessionFactory(course=course, trainers=[delivering])
    booking = BookingFactory(session=session, person=person_a)
    past = SessionFactory(course=course, days_ahead=-30)
    attended = AttendanceRecordFactory(booking=BookingFactory(session=past, person=person_a))
    absent = AttendanceRecordFactory(
        booking=BookingFactory(session=past, person=UserFactory(agency=agency_a)), outcome=Attendance.NO_SHOW
    )
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year,
        opens_on=timezone.localdate(),
        deadline=timezone.localdate() + timedelta(days=30),
        opened_at=timezone.now(),
    )
    users = {
        "anonymous": None,
        "staff": UserFactory(full_name="Tom Fletcher", agency=agency_b),
        "lead_a": agency_lead(agency=agency_a),
        "lead_b": agency_lead(agency=agency_b),
        "trainer": delivering,
        "manager": training_manager(),
        "board": board_member(),
    }
    args = {
        "person_a": person_a.pk,
        # Says they work for agency A, from a personal address: waits for agency A's lead.
        "claim_a": UserFactory(
            full_name="Jo Baker", email="jo.baker@gmail.example.com", agency=None, claimed_agency=agency_a
        ).pk,
        "agency_a": agency_a.pk,
        "course_slug": course.slug,
        "course": course.pk,
        "session": session.pk,
        "booking": booking.pk,
        "venue": VenueFactory().pk,
        "level": Level.objects.first().pk,
        "group": target_groups[1].pk,
        "rule": PathwayRuleFactory(target_group=target_groups[3], level=course.level).pk,
        "charge": raise_no_show_charge(record=absent).pk,
        "certificate": issue_certificate(record=attended).code,
        "tna_return": tna_services.start_return(agency=agency_a, cycle=cycle).pk,
        "cycle": cycle.pk,
        "year": year.pk,
        "bad_token": "not-a-real-token",
        "bad_uid": "MQ",
        "staff": "staff",
        "membership": MembershipFactory(person=person_a, status=MembershipStatus.APPLIED).pk,
        "endorsed": MembershipFactory(person=UserFactory(agency=agency_a), status=MembershipStatus.ENDORSED).pk,
        "assignment": Assignment.objects.create(session=session, trainer=delivering).pk,
        "criterion": MembershipCriterionFactory().pk,
        "report_run": agency_report_run(agency_a, year).pk,
        "headlines": "headlines",
        "people": "people",
        "questionnaire": standard_questionnaire().pk,
        "item": Item.objects.first().pk,
        "issue": PracticeIssue.objects.create(title="Referral thresholds unclear", description="From evaluations").pk,
    }
    return users, args


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, world, name):
    users, args = world
    arg_names, expected = MATRIX[name]
    url = reverse(name, args=[args[a] for a in arg_names])
    answers = {}
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        answers[role] = client.get(url).status_code
    assert answers == expected, f"{name} ({url})"


def test_the_admin_site_is_closed_to_every_role(client, world):
    users, _ = world
    for role, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response.url, role
