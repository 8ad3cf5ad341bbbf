"""Every named URL against every role, with the expected answer in one table: to a GET, and to a POST.

A URL added without an entry here fails `test_every_named_url_has_an_entry`; each entry says what a
POST does (READS_ONLY, or who may send it). Objects belong to agency A; "404" means the object is
outside that person's scope, so its existence does not leak. Board members see figures, never
people. A refused POST (302 to sign in, 403, 404, 405) must leave the object it names unchanged,
write no audit entry, queue no email and add or remove no row anywhere; for the roles listed as
changing it, the same POST must change it, which shows the form sent is a real one. Each role's
POST is rolled back before the next role's, so every role meets the same world.
The admin site is Django's own: it needs `is_staff`, which no role grants.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, trainer, training_manager
from accounts.models import Agency, AuditEntry, Partnership, TargetGroup, User
from committee import services as committee_services
from committee.models import (
    Action,
    AdviceRequest,
    AuditFindings,
    AuditQuestion,
    CommitteePaper,
    Decision,
    MeetingAttendance,
    MeetingPaper,
    Member,
    PaperStatus,
    PlanChange,
    ProgrammePlan,
    Receipt,
    SessionDelivery,
    YearFinance,
)
from committee.models import Meeting as CommitteeMeeting
from committee.services import ensure_standard_questions
from config import health
from courses.certificates import issue_certificate
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    PathwayRuleFactory,
    SessionFactory,
    VenueFactory,
)
from courses.models import (
    Attendance,
    Booking,
    BookingStatus,
    Charge,
    Course,
    ExternalTraining,
    Invoice,
    Level,
    PathwayRule,
    Room,
    Session,
    SessionMessage,
    SessionTrainer,
    SignInSheet,
    Venue,
)
from courses.services.charges import raise_register_charge
from evaluation.models import FocusGroup, Item, Observation, PracticeIssue, Questionnaire
from pool.factories import MembershipCriterionFactory, MembershipFactory
from pool.models import Assignment, Membership, MembershipCriterion, MembershipStatus, PoolPolicy
from reports.models import PeerFigures, ReportKind, ReportRun, RunStatus
from tna import services as tna_services
from tna.models import ReturnKind, TnaCycle, TnaReturn, TrainingYear

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

SIGNED_IN_ROLES = ("staff", "lead_a", "lead_b", "trainer", "manager", "board")
READS_ONLY = "reads only"


@dataclass(frozen=True)
class Post:
    """Who may POST to a URL: the answer per role, the form sent (a dict, or built from the world's
    ids), what to read to see whether the object changed, and the roles whose POST changes it."""

    expected: dict
    data: dict | Callable[[dict], dict] | None = None
    state: Callable[[dict], object] | None = None
    changes: tuple[str, ...] = ()

    def form(self, ids: dict) -> dict:
        return self.data(ids) if callable(self.data) else dict(self.data or {})


# What to read to see whether a POST changed something (ids: the world's ids by name).
def field(model, name, attribute):
    return lambda ids: model.objects.filter(pk=ids[name]).values_list(attribute, flat=True).first()


def count(model):
    return lambda ids: model.objects.count()


def people_named(full_name):
    return lambda ids: User.objects.filter(full_name=full_name).count()


def roles_of(name):
    return lambda ids: sorted(User.objects.get(pk=ids[name]).groups.values_list("name", flat=True))


def bookings_on(name):
    return lambda ids: Booking.objects.filter(session_id=ids[name]).count()


def attendance_on(name):
    return lambda ids: Session.objects.get(pk=ids[name]).attendance.count()


def rounds_of_every_kind(ids):
    return TnaCycle.rounds.count()


def audit_return_status(ids):
    return TnaReturn.every_kind.filter(pk=ids["audit_return"]).values_list("status", flat=True).first()


def audit_count(ids):
    return AuditEntry.objects.count()


def two_step_on(ids):
    return User.objects.filter(totp_enabled_at__isnull=False).count()


# Forms that do what the URL is for, when sent by someone allowed to.
def sign_up(ids):
    return {
        "full_name": "Imogen Clarke",
        "email": "imogen.clarke@northshire-police.example.org",
        "job_title": "Police constable",
        "agency": str(ids["agency_a"]),
        "target_group": str(ids["group"]),
        "password1": "a-long-pass-phrase-2026",
        "password2": "a-long-pass-phrase-2026",
    }


def profile(ids):
    return {"full_name": "Renamed Person", "job_title": "Designated safeguarding lead", "target_group": ids["group"]}


def agency_form(name):
    return lambda ids: {"name": name, "sector": "police", "category": ids["category"], "active": "on"}


def venue_form(name):
    return {
        "name": name,
        "address": "1 Market Street, Northshire",
        "postcode": "NS1 4AB",
        "capacity": "40",
        "active": "on",
    }


def pathway_rule(ids):
    return {"target_group": ids["group"], "level": ids["level"], "refresh_months": "36"}


def external_training(ids):
    return {
        "level": ids["level"],
        "title": "Safeguarding children: basic awareness",
        "provider": "Northshire e-learning",
        "completed_on": "03/03/2026",
    }


def application(ids):
    return {
        "experience": "Ten years as a social worker",
        "specialisms": "Neglect, domestic abuse",
        "facilitation_experience": "Co-delivered team briefings",
        "courses": [ids["course"]],
    }


def observation(ids):
    return {"observed_on": date.today().strftime("%d/%m/%Y"), "observer_name": "Helen Carter", "strengths": "Clear"}


def focus_group(ids):
    return {
        "course": ids["course"],
        "held_on": date.today().strftime("%d/%m/%Y"),
        "participants": "6",
        "themes": "Information sharing",
    }


# name: (url arguments from the world, answer to GET per role, what a POST does)
# A POST spec is READS_ONLY (the page changes nothing whatever is sent) or a Post: the answer per role,
# the form sent, what to read to see whether the object changed, and who changes it.
MATRIX = {
    "home": ((), PUBLIC, READS_ONLY),
    "healthz": ((), PUBLIC, READS_ONLY),
    "healthz-background": ((), PUBLIC, READS_ONLY),
    "accessibility": ((), PUBLIC, READS_ONLY),
    "privacy": ((), PUBLIC, READS_ONLY),
    "accounts:sign-up": (
        (),
        ANONYMOUS_ONLY,
        Post(
            row(302, 302, 302, 302, 302, 302, 302),
            data=sign_up,
            state=people_named("Imogen Clarke"),
            changes=("anonymous",),
        ),
    ),
    "accounts:check-email": ((), PUBLIC, READS_ONLY),
    "accounts:resend-verification": (
        (),
        PUBLIC,
        Post(row(302, 302, 302, 302, 302, 302, 302), data={"email": "nobody@example.org"}),
    ),
    "accounts:verify-email": (
        ("bad_token",),
        row(400, 400, 400, 400, 400, 400, 400),
        Post(row(400, 400, 400, 400, 400, 400, 400)),
    ),
    "accounts:sign-in": (
        (),
        ANONYMOUS_ONLY,
        Post(row(200, 302, 302, 302, 302, 302, 302), data={"username": "aisha.khan@example.org", "password": "guess"}),
    ),
    # A GET shows the sign-out button (signing out itself is a POST).
    "accounts:sign-out": ((), SIGNED_IN, Post(row(302, 302, 302, 302, 302, 302, 302))),
    "accounts:signed-out": ((), PUBLIC, READS_ONLY),
    # The admin site's sign-in: the service's own sign-in (with two-step), for admin users only.
    "admin-sign-in": ((), row(302, 403, 403, 403, 403, 403, 403), READS_ONLY),
    "accounts:password-reset": (
        (),
        PUBLIC,
        Post(row(302, 302, 302, 302, 302, 302, 302), data={"email": "nobody@example.org"}),
    ),
    "accounts:password-reset-sent": ((), PUBLIC, READS_ONLY),
    "accounts:password_reset_confirm": (
        ("bad_uid", "bad_token"),
        PUBLIC,
        Post(
            row(200, 200, 200, 200, 200, 200, 200),
            data={"new_password1": "a-new-pass-phrase-2026", "new_password2": "a-new-pass-phrase-2026"},
        ),
    ),
    "accounts:password-change": (
        (),
        SIGNED_IN,
        Post(
            row(302, 200, 200, 200, 200, 200, 200),
            data={
                "old_password": "guess",
                "new_password1": "a-new-pass-phrase-2026",
                "new_password2": "a-new-pass-phrase-2026",
            },
        ),
    ),
    "accounts:sign-in-code": (
        (),
        row(302, 302, 302, 302, 302, 302, 302),
        Post(row(302, 302, 302, 302, 302, 302, 302), data={"code": "123456"}),
    ),
    "accounts:two-step": (
        (),
        row(302, 403, 403, 403, 403, 200, 200),
        Post(row(302, 403, 403, 403, 403, 200, 200), data={"code": "123456"}, state=two_step_on),
    ),
    "manage:person-two-step-off": (
        ("two_step_a",),
        POST_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            state=field(User, "two_step_a", "totp_enabled_at"),
            changes=("manager",),
        ),
    ),
    "accounts:profile": ((), SIGNED_IN, READS_ONLY),
    "accounts:edit-profile": (
        (),
        SIGNED_IN,
        Post(
            row(302, 302, 302, 302, 302, 302, 302),
            data=profile,
            state=people_named("Renamed Person"),
            changes=SIGNED_IN_ROLES,
        ),
    ),
    "accounts:my-data": ((), SIGNED_IN, READS_ONLY),
    "manage:people": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "manage:person": (("person_a",), AGENCY_A_OBJECT, READS_ONLY),
    "manage:person-roles": (
        ("person_a",),
        AGENCY_A_MANAGED,
        Post(
            row(302, 404, 403, 404, 404, 302, 404),
            data={"roles": ["Trainer"]},
            state=roles_of("person_a"),
            changes=("manager",),
        ),
    ),
    "manage:person-agency": (
        ("person_a",),
        AGENCY_A_MANAGED,
        Post(
            row(302, 404, 403, 404, 404, 302, 404),
            data=lambda a: {"agency": a["agency_b"]},
            state=field(User, "person_a", "agency_id"),
            changes=("manager",),
        ),
    ),
    "manage:person-deactivate": (
        ("person_a",),
        AGENCY_A_MANAGED,
        Post(
            row(302, 404, 403, 404, 404, 302, 404),
            data={"reason": "Left the force"},
            state=field(User, "person_a", "is_active"),
            changes=("manager",),
        ),
    ),
    "manage:person-reactivate": (
        ("inactive_a",),
        POST_ONLY,
        Post(
            row(302, 404, 403, 404, 404, 302, 404), state=field(User, "inactive_a", "is_active"), changes=("manager",)
        ),
    ),
    "manage:agency-claims": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "manage:agency-claim": (
        ("claim_a",),
        row(302, 403, 200, 404, 403, 200, 403),
        Post(
            row(302, 403, 302, 404, 403, 302, 403),
            data={"decision": "confirm"},
            state=field(User, "claim_a", "agency_id"),
            changes=("lead_a", "manager"),
        ),
    ),
    "manage:audit": ((), MANAGER_ONLY, READS_ONLY),
    "manage:retention": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"nothing": "valid"}, state=audit_count),
    ),
    "manage:person-erase": (
        ("person_a",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"reference": "DP-2026-014", "confirm": "on"},
            state=field(User, "person_a", "email"),
            changes=("manager",),
        ),
    ),
    "manage:agencies": ((), MANAGER_ONLY, READS_ONLY),
    "manage:partnership": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"name": "Westshire Safeguarding Children Partnership", "short_name": "Westshire SCP"},
            state=lambda ids: list(Partnership.objects.values_list("name", "short_name")),
            changes=("manager",),
        ),
    ),
    "manage:agency-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=agency_form("Northshire Fire and Rescue"),
            state=count(Agency),
            changes=("manager",),
        ),
    ),
    "manage:agency": (("agency_a",), AGENCY_A_OBJECT, READS_ONLY),
    "manage:agency-edit": (
        ("agency_a",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=agency_form("Renamed Police"),
            state=field(Agency, "agency_a", "name"),
            changes=("manager",),
        ),
    ),
    "courses:catalogue": ((), PUBLIC, READS_ONLY),
    "courses:course": (("course_slug",), PUBLIC, READS_ONLY),
    "courses:my-training": ((), SIGNED_IN, READS_ONLY),
    "courses:agency-training": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "courses:person-training": (("person_a",), row(302, 403, 200, 404, 403, 200, 403), READS_ONLY),
    "courses:session": (("session",), PUBLIC, READS_ONLY),
    # The confirmation page (price, cancellation terms, access needs); a POST books. The trainer
    # delivers the session, so cannot be a delegate at it: refused with the reason.
    "courses:book": (
        ("session",),
        row(302, 200, 200, 200, 302, 200, 200),
        Post(
            row(302, 302, 302, 302, 302, 302, 302),
            state=bookings_on("session"),
            changes=tuple(r for r in SIGNED_IN_ROLES if r != "trainer"),
        ),
    ),
    "courses:booking": (("booking",), AGENCY_A_OBJECT, READS_ONLY),
    "courses:external-training-new": (
        (),
        SIGNED_IN,
        Post(
            row(302, 302, 302, 302, 302, 302, 302),
            data=external_training,
            state=count(ExternalTraining),
            changes=SIGNED_IN_ROLES,
        ),
    ),
    "courses:external-training": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "courses:external-training-decide": (
        ("external_a",),
        AGENCY_A_OBJECT,
        Post(
            row(302, 404, 302, 404, 404, 302, 404),
            data={"decision": "confirm"},
            state=field(ExternalTraining, "external_a", "status"),
            changes=("lead_a", "manager"),
        ),
    ),
    "courses:external-training-certificate": (("external_a",), AGENCY_A_OBJECT, READS_ONLY),
    "courses:booking-calendar": (("booking",), AGENCY_A_OBJECT, READS_ONLY),
    "courses:cancel-booking": (
        ("booking",),
        AGENCY_A_OBJECT,
        Post(
            row(302, 404, 302, 404, 404, 302, 404),
            data={"choice": "cancel"},
            state=field(Booking, "booking", "status"),
            changes=("lead_a", "manager"),
        ),
    ),
    "courses:accept-offer": (
        ("offer",),
        POST_ONLY,
        Post(
            row(302, 404, 302, 404, 404, 302, 404),
            state=field(Booking, "offer", "status"),
            # The person offered the place, their agency's lead or the training manager may take it.
            changes=("lead_a", "manager"),
        ),
    ),
    # The places waiting for the person's own approval: everyone's list is their own.
    "courses:approvals": ((), SIGNED_IN, READS_ONLY),
    "courses:approval": (
        ("bad_token",),
        row(400, 400, 400, 400, 400, 400, 400),
        Post(row(400, 400, 400, 400, 400, 400, 400), data={"decision": "approve"}),
    ),
    "courses:register": (
        ("session",),
        row(302, 404, 404, 404, 200, 200, 404),
        Post(row(302, 404, 404, 404, 200, 200, 404), data={"save": "1"}, state=attendance_on("session")),
    ),
    # Writing to a session's delegates and its sign-in sheet: like the register, the training manager
    # and the session's own trainers.
    "courses:session-messages": (
        ("session",),
        row(302, 404, 404, 404, 200, 200, 404),
        Post(
            row(302, 404, 404, 404, 302, 302, 404),
            data={"subject": "Joining instructions", "body": "Please arrive by 09:15 and sign in at reception."},
            state=count(SessionMessage),
            changes=("trainer", "manager"),
        ),
    ),
    "courses:sign-in-sheet": (
        ("session",),
        row(302, 404, 404, 404, 200, 200, 404),
        Post(
            row(302, 404, 404, 404, 302, 302, 404),
            state=lambda ids: SignInSheet.objects.filter(session_id=ids["session"]).values_list("requested_at").first(),
            changes=("trainer", "manager"),
        ),
    ),
    # No sheet prepared yet: those who may have one are sent to prepare it.
    "courses:sign-in-sheet-pdf": (("session",), row(302, 404, 404, 404, 302, 302, 404), READS_ONLY),
    # The world's session has not started: its register cannot be closed yet, or reopened (it is not
    # closed), so both pages send those allowed back to the register and a POST changes nothing.
    "courses:register-close": (
        ("session",),
        row(302, 404, 404, 404, 302, 302, 404),
        Post(row(302, 404, 404, 404, 302, 302, 404), state=field(Session, "session", "register_closed_at")),
    ),
    "courses:register-reopen": (
        ("session",),
        row(302, 404, 404, 404, 403, 302, 404),
        Post(
            row(302, 404, 404, 404, 403, 302, 404),
            data={"reason": "Marked in error"},
            state=field(Session, "session", "register_reopened_at"),
        ),
    ),
    "courses:manage-sessions": ((), MANAGER_ONLY, READS_ONLY),
    "courses:manage-session-new": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"capacity": "12"}, state=count(Session)),
    ),
    "courses:manage-session": (("session",), MANAGER_ONLY, READS_ONLY),
    "courses:manage-trainer-share": (
        ("session", "delivering"),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"share_days": "0.25"},
            state=lambda ids: (
                SessionTrainer.objects.get(session_id=ids["session"], user_id=ids["delivering"]).share_days
            ),
            changes=("manager",),
        ),
    ),
    "courses:manage-session-edit": (
        ("session",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 200, 403), data={"capacity": "12"}, state=field(Session, "session", "capacity")
        ),
    ),
    "courses:manage-session-copy": (
        ("session",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"capacity": "12"}, state=count(Session)),
    ),
    "courses:manage-session-cancel": (
        ("session",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"reason": "Trainer unwell"},
            state=field(Session, "session", "status"),
            changes=("manager",),
        ),
    ),
    "courses:manage-courses": ((), MANAGER_ONLY, READS_ONLY),
    "courses:manage-course-new": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"title": "Harmful Sexual Behaviour"}, state=count(Course)),
    ),
    "courses:manage-course-edit": (
        ("course",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 200, 403),
            data={"title": "Renamed course"},
            state=field(Course, "course", "title"),
        ),
    ),
    "courses:manage-venues": ((), MANAGER_ONLY, READS_ONLY),
    "courses:manage-venue-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=venue_form("Civic Centre, Room 2"),
            state=count(Venue),
            changes=("manager",),
        ),
    ),
    "courses:manage-venue": (("venue",), MANAGER_ONLY, READS_ONLY),
    "courses:manage-room-new": (
        ("venue",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"name": "Room 3", "capacity": "16", "active": "on"},
            state=count(Room),
            changes=("manager",),
        ),
    ),
    "courses:manage-room-edit": (
        ("venue", "room"),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"name": "Room 1", "capacity": "12", "active": "on"},
            state=field(Room, "room", "capacity"),
            changes=("manager",),
        ),
    ),
    "courses:manage-venue-edit": (
        ("venue",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=venue_form("Renamed venue"),
            state=field(Venue, "venue", "name"),
            changes=("manager",),
        ),
    ),
    "courses:manage-pathway": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), data=pathway_rule, state=count(PathwayRule), changes=("manager",)),
    ),
    "courses:manage-pathway-remove": (
        ("rule",),
        POST_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), state=count(PathwayRule), changes=("manager",)),
    ),
    "courses:manage-level-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"number": "5", "name": "Strategic leadership"},
            state=count(Level),
            changes=("manager",),
        ),
    ),
    "courses:manage-level-edit": (
        ("level",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"number": a["level_number"], "name": "Renamed level"},
            state=field(Level, "level", "name"),
            changes=("manager",),
        ),
    ),
    "courses:manage-group-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"number": "9", "name": "Elected members", "description": "Councillors"},
            state=count(TargetGroup),
            changes=("manager",),
        ),
    ),
    "courses:manage-group-edit": (
        ("group",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"number": a["group_number"], "name": "Renamed group", "description": "Renamed"},
            state=field(TargetGroup, "group", "name"),
            changes=("manager",),
        ),
    ),
    "courses:manage-policy": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"approval_hold_hours": "12"}, state=audit_count),
    ),
    "courses:charges": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "courses:charge-waive": (
        ("charge",),
        AGENCY_A_MANAGED,
        Post(
            row(302, 404, 403, 404, 404, 302, 404),
            data={"reason": "Child was ill"},
            state=field(Charge, "charge", "waived_at"),
            changes=("manager",),
        ),
    ),
    "courses:invoices": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "courses:invoice-new": (
        (),
        MANAGER_ONLY,
        # The world's uninvoiced charge is for a session 30 days ago: this period holds it.
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda ids: {"agency": ids["agency_a"], "starts_on": ids["period_from"], "ends_on": ids["period_to"]},
            state=count(Invoice),
            changes=("manager",),
        ),
    ),
    "courses:invoice": (("invoice",), AGENCY_A_OBJECT, READS_ONLY),
    "courses:invoice-pdf": (("invoice",), AGENCY_A_OBJECT, READS_ONLY),
    "courses:invoice-sent": (
        ("invoice",),
        POST_ONLY,
        Post(row(302, 404, 403, 404, 404, 302, 404), state=field(Invoice, "invoice", "sent_at"), changes=("manager",)),
    ),
    "courses:invoice-paid": (
        ("sent_invoice",),
        POST_ONLY,
        Post(
            row(302, 404, 403, 404, 404, 302, 404),
            state=field(Invoice, "sent_invoice", "paid_at"),
            changes=("manager",),
        ),
    ),
    "courses:verify-certificate": ((), PUBLIC, READS_ONLY),
    "courses:certificate": (("certificate",), AGENCY_A_OBJECT, READS_ONLY),
    # Opening the TNA page takes an agency lead to their agency's return; lead_b's agency has none yet, so
    # they see the page to start it, which a POST does. The training manager sees every analysis.
    "tna:index": (
        (),
        row(302, 403, 302, 200, 403, 200, 403),
        Post(row(302, 403, 302, 302, 403, 200, 403), state=count(TnaReturn), changes=("lead_b",)),
    ),
    "tna:new": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"name": "2027-28"}, state=count(TrainingYear)),
    ),
    "tna:return": (("tna_return",), AGENCY_A_OBJECT, READS_ONLY),
    "tna:check": (
        ("tna_return",),
        AGENCY_A_OBJECT,
        Post(
            row(302, 404, 200, 404, 404, 200, 404),
            data={"declaration": "on"},
            state=field(TnaReturn, "tna_return", "status"),
        ),
    ),
    "tna:reopen": (
        ("tna_return",),
        MANAGER_ONLY,
        # The return is a draft: there is nothing to reopen yet, and the page says so.
        Post(
            row(302, 403, 403, 403, 403, 200, 403),
            data={"reason": "Figures wrong"},
            state=field(TnaReturn, "tna_return", "status"),
        ),
    ),
    "tna:section": (
        ("tna_return", "staff"),
        AGENCY_A_OBJECT,
        Post(row(302, 404, 200, 404, 404, 200, 404), data={"evaluation": "Quarterly audit"}, state=audit_count),
    ),
    "tna:cycle": (
        ("cycle",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), data={"open": "1"}, state=audit_count),
    ),
    "tna:export": (("cycle",), MANAGER_ONLY, READS_ONLY),
    "tna:import": (("cycle",), MANAGER_ONLY, Post(row(302, 403, 403, 403, 403, 200, 403), state=audit_count)),
    "tna:import-example": (("cycle",), MANAGER_ONLY, READS_ONLY),
    "tna:attendance": (("year",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "tna:contributions": (
        ("year",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), state=audit_count, changes=("manager",)),
    ),
    "tna:attendance-latest": ((), row(302, 403, 403, 403, 403, 302, 302), READS_ONLY),
    "pool:index": ((), row(302, 302, 302, 302, 302, 302, 302), READS_ONLY),
    "pool:mine": ((), SIGNED_IN, READS_ONLY),
    "pool:apply": (
        (),
        SIGNED_IN,
        Post(
            row(302, 302, 302, 302, 302, 302, 302),
            data=application,
            state=count(Membership),
            changes=SIGNED_IN_ROLES,
        ),
    ),
    "pool:leave": (
        (),
        row(302, 302, 302, 302, 302, 302, 302),
        Post(row(302, 302, 302, 302, 302, 302, 302), data={"reason": "Moving on"}, state=count(Membership)),
    ),
    "pool:respond": (
        ("assignment",),
        row(302, 404, 404, 404, 200, 404, 404),
        Post(
            row(302, 404, 404, 404, 302, 404, 404),
            data={"decision": "accept"},
            state=field(Assignment, "assignment", "status"),
            changes=("trainer",),
        ),
    ),
    "pool:withdraw": (
        ("assignment",),
        POST_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            state=field(Assignment, "assignment", "status"),
            changes=("manager",),
        ),
    ),
    "pool:respond-link": (
        ("bad_token",),
        row(400, 400, 400, 400, 400, 400, 400),
        Post(row(400, 400, 400, 400, 400, 400, 400), data={"decision": "accept"}),
    ),
    "pool:applications": ((), row(302, 403, 200, 200, 403, 200, 403), READS_ONLY),
    "pool:members": ((), MANAGER_ONLY, READS_ONLY),
    "pool:member": (("membership",), AGENCY_A_OBJECT, READS_ONLY),
    "pool:endorse": (
        ("membership",),
        row(302, 404, 200, 404, 404, 403, 404),
        Post(
            row(302, 404, 302, 404, 404, 403, 404),
            data={"decision": "yes"},
            state=field(Membership, "membership", "status"),
            changes=("lead_a",),
        ),
    ),
    "pool:review": (
        ("endorsed",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"decision": "decline", "reason": "Not enough experience yet"},
            state=field(Membership, "endorsed", "status"),
            changes=("manager",),
        ),
    ),
    "pool:status": (
        ("membership",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 200, 403),
            data={"status": "left", "reason": "Moved away"},
            state=field(Membership, "membership", "status"),
        ),
    ),
    "pool:criteria": ((), MANAGER_ONLY, READS_ONLY),
    "pool:criterion-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"text": "Has delivered training before", "position": "5", "active": "on"},
            state=count(MembershipCriterion),
            changes=("manager",),
        ),
    ),
    "pool:criterion-edit": (
        ("criterion",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"text": "Renamed criterion", "position": "1", "active": "on"},
            state=field(MembershipCriterion, "criterion", "text"),
            changes=("manager",),
        ),
    ),
    "pool:policy": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"months_without_delivery": "18", "training_valid_months": "36", "free_places_per_day": "10"},
            state=audit_count,
            changes=("manager",),
        ),
    ),
    "pool:commitments": ((), MANAGER_ONLY, READS_ONLY),
    "pool:commitments-edit": (("year",), MANAGER_ONLY, Post(row(302, 403, 403, 403, 403, 302, 403), state=audit_count)),
    "pool:agency": (("agency_a",), AGENCY_A_OBJECT, READS_ONLY),
    "pool:my-agency": ((), row(302, 403, 302, 302, 403, 403, 403), READS_ONLY),
    "pool:delivery": ((), MANAGER_ONLY, READS_ONLY),
    "pool:session-trainers": (
        ("session",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"trainer": ""}, state=count(Assignment)),
    ),
    "evaluation:answer": (
        ("bad_token",),
        row(400, 400, 400, 400, 400, 400, 400),
        Post(row(400, 400, 400, 400, 400, 400, 400)),
    ),
    "evaluation:index": ((), MANAGER_ONLY, READS_ONLY),
    "evaluation:questionnaire": (
        ("questionnaire",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"kind": "text", "text": "What will you do differently?"},
            state=count(Item),
            changes=("manager",),
        ),
    ),
    "evaluation:remove-item": (
        ("item",),
        POST_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), state=count(Item), changes=("manager",)),
    ),
    "evaluation:course-settings": (
        ("course",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"before_days": "7", "follow_up_weeks": "10", "max_reminders": "1", "reminder_days": "5"},
            state=audit_count,
            changes=("manager",),
        ),
    ),
    "evaluation:course-results": (("course",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "evaluation:session-results": (("session",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "evaluation:observations": (
        ("session",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), data=observation, state=count(Observation), changes=("manager",)),
    ),
    # A decision names the comment it is about; one that does not exist is 404.
    "evaluation:comments": ((), MANAGER_ONLY, Post(row(302, 403, 403, 403, 403, 404, 403), state=audit_count)),
    "evaluation:focus-groups": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), data=focus_group, state=count(FocusGroup), changes=("manager",)),
    ),
    "evaluation:issues": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"title": "Thresholds unclear", "description": "From comments"},
            state=count(PracticeIssue),
            changes=("manager",),
        ),
    ),
    "evaluation:issue": (
        ("issue",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"status": "taken", "note": "Taken to the March meeting"},
            state=field(PracticeIssue, "issue", "status"),
            changes=("manager",),
        ),
    ),
    "transfer:imports": (
        (),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"format": "people"}, state=audit_count),
    ),
    "transfer:confirm": (
        (),
        row(302, 403, 403, 403, 403, 302, 403),
        Post(row(302, 403, 403, 403, 403, 302, 403), state=audit_count),
    ),
    "transfer:export": ((), row(302, 403, 403, 403, 403, 302, 403), READS_ONLY),
    "transfer:example": (("people",), MANAGER_ONLY, READS_ONLY),
    "transfer:guide": ((), MANAGER_ONLY, READS_ONLY),
    "reports:dashboard": ((), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "reports:runs": (
        (),
        row(302, 403, 200, 200, 403, 200, 200),
        Post(
            row(302, 403, 200, 200, 403, 302, 302),
            data=lambda a: {"kind": "annual", "year": a["year"]},
            state=count(ReportRun),
            changes=("manager", "board"),
        ),
    ),
    "reports:run": (("report_run",), row(302, 404, 200, 404, 404, 200, 200), READS_ONLY),
    # Every download is written to the audit trail, whatever the method.
    "reports:download": (
        ("report_run",),
        row(302, 404, 200, 404, 404, 200, 200),
        Post(row(302, 404, 200, 404, 404, 200, 200), state=audit_count, changes=("lead_a", "manager", "board")),
    ),
    "reports:table-csv": (("year", "headlines"), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "reports:peers": ((), MANAGER_ONLY, READS_ONLY),
    "reports:peer-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"board": "Westshire Safeguarding Children Board", "year": "2025-26", "events": "40"},
            state=count(PeerFigures),
            changes=("manager",),
        ),
    ),
    "reports:peer-edit": (
        ("peer",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"board": "Eastshire Safeguarding Children Board", "year": "2025-26"},
            state=field(PeerFigures, "peer", "board"),
            changes=("manager",),
        ),
    ),
    "reports:peer-remove": (
        ("peer",),
        POST_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), state=count(PeerFigures), changes=("manager",)),
    ),
    "reports:peer-import": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"content": "Board,Year,Courses or events\nWestshire Safeguarding Children Board,2025-26,40\n"},
            state=count(PeerFigures),
            changes=("manager",),
        ),
    ),
    "reports:peer-export": (("year",), MANAGER_ONLY, READS_ONLY),
    # The sub-committee: the training manager keeps its records, Board members read them.
    "committee:index": ((), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:audit-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {
                "title": "Single-agency training audit 2027",
                "deadline": (date.today() + timedelta(days=40)).strftime("%d/%m/%Y"),
                "questions": [a["audit_question"]],
            },
            state=rounds_of_every_kind,
            changes=("manager",),
        ),
    ),
    "committee:audit": (
        ("audit_round",),
        row(302, 403, 403, 403, 403, 200, 200),
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"text": "Induction is late in two agencies"},
            state=count(AuditFindings),
            changes=("manager",),
        ),
    ),
    "committee:audit-report": (
        ("audit_round",),
        POST_ONLY,
        Post(row(302, 403, 403, 403, 403, 302, 403), state=count(CommitteePaper), changes=("manager",)),
    ),
    "committee:my-audit": ((), row(302, 403, 302, 200, 403, 403, 403), READS_ONLY),
    "committee:audit-return": (("audit_return",), row(302, 404, 200, 404, 404, 200, 200), READS_ONLY),
    "committee:audit-answers": (
        ("audit_return",),
        row(302, 404, 200, 404, 404, 200, 403),
        Post(
            row(302, 404, 302, 404, 404, 302, 403),
            data=lambda a: {f"answer_{a['audit_question_asked']}": "Within four weeks of starting"},
            state=audit_count,
            changes=("lead_a", "manager"),
        ),
    ),
    # A draft with no answers yet: the page says what is missing and nothing is submitted.
    "committee:audit-check": (
        ("audit_return",),
        row(302, 404, 200, 404, 404, 200, 403),
        Post(row(302, 404, 200, 404, 404, 200, 403), data={"declaration": "on"}, state=audit_return_status),
    ),
    "committee:audit-reopen": (
        ("audit_return",),
        MANAGER_ONLY,
        Post(row(302, 403, 403, 403, 403, 200, 403), data={"reason": "Figures wrong"}, state=audit_return_status),
    ),
    # Not submitted yet, so there is nothing to rate: the manager is sent back to the return.
    "committee:audit-rate": (
        ("audit_return",),
        row(302, 403, 403, 403, 403, 302, 403),
        Post(row(302, 403, 403, 403, 403, 302, 403), state=audit_count),
    ),
    "committee:paper": (("paper",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    # Every download is written to the audit trail, whatever the method.
    "committee:paper-download": (
        ("paper",),
        row(302, 403, 403, 403, 403, 200, 200),
        Post(row(302, 403, 403, 403, 403, 200, 200), state=audit_count, changes=("manager", "board")),
    ),
    "committee:advice": (
        (),
        row(302, 403, 200, 200, 403, 200, 403),
        Post(
            row(302, 403, 302, 302, 403, 403, 403),
            data={"question": "How often should our call handlers refresh level 1?"},
            state=count(AdviceRequest),
            changes=("lead_a", "lead_b"),
        ),
    ),
    "committee:members": ((), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:member-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"email": a["staff_email"], "role": "member", "joined_on": "06/01/2025"},
            state=count(Member),
            changes=("manager",),
        ),
    ),
    "committee:member-left": (
        ("member",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"left_on": "30/09/2026"},
            state=field(Member, "member", "left_on"),
            changes=("manager",),
        ),
    ),
    "committee:meetings": ((), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:meeting-new": (
        (),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"held_on": "09/09/2026", "agenda": "Programme 2027-28"},
            state=count(CommitteeMeeting),
            changes=("manager",),
        ),
    ),
    "committee:meeting": (("meeting",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:meeting-attendance": (
        ("meeting",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {f"status_{a['agency_a']}": "attended", f"who_{a['agency_a']}": "Aisha Khan"},
            state=count(MeetingAttendance),
            changes=("manager",),
        ),
    ),
    "committee:meeting-paper": (
        ("meeting",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"title": "Attendance against need", "path": "/tna/attendance"},
            state=count(MeetingPaper),
            changes=("manager",),
        ),
    ),
    "committee:meeting-decision": (
        ("meeting",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"text": "Programme 2027-28 approved"},
            state=count(Decision),
            changes=("manager",),
        ),
    ),
    "committee:meeting-action": (
        ("meeting",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {
                "text": "Send the induction figures",
                "owner": a["person_a"],
                "due_on": (date.today() + timedelta(days=30)).strftime("%d/%m/%Y"),
            },
            state=count(Action),
            changes=("manager",),
        ),
    ),
    "committee:actions": ((), SIGNED_IN, READS_ONLY),
    "committee:action-close": (
        ("action",),
        row(302, 404, 200, 404, 404, 200, 404),
        Post(
            row(302, 404, 302, 404, 404, 302, 404),
            data={"outcome": "Sent on 3 March"},
            state=field(Action, "action", "status"),
            changes=("lead_a", "manager"),
        ),
    ),
    "committee:issues": (
        (),
        row(302, 403, 403, 403, 403, 200, 200),
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"since": "01/01/2026"},
            state=count(CommitteePaper),
            changes=("manager",),
        ),
    ),
    "committee:issue": (
        ("issue",),
        row(302, 403, 403, 403, 403, 200, 200),
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"meeting": a["meeting"]},
            state=field(PracticeIssue, "issue", "status"),
            changes=("manager",),
        ),
    ),
    "committee:plan": (("year",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:plan-change": (
        ("year",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"course": a["course"], "finding": "Ran over", "change": "A full day"},
            state=count(PlanChange),
            changes=("manager",),
        ),
    ),
    "committee:plan-approve": (
        ("year",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data=lambda a: {"decision": a["decision"]},
            state=count(ProgrammePlan),
            changes=("manager",),
        ),
    ),
    "committee:money": (("year",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:money-rate": (
        ("year",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"trainer_day_rate": "250"},
            state=count(YearFinance),
            changes=("manager",),
        ),
    ),
    "committee:money-receipt": (
        ("year",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"source": "grant", "description": "Grant", "amount": "1000", "received_on": "01/05/2026"},
            state=count(Receipt),
            changes=("manager",),
        ),
    ),
    "committee:deliveries": (("year",), row(302, 403, 403, 403, 403, 200, 200), READS_ONLY),
    "committee:delivery": (
        ("session",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"delivered_by": "commissioned", "provider": "Safe Lives Training Ltd", "cost": "1200"},
            state=count(SessionDelivery),
            changes=("manager",),
        ),
    ),
    "committee:advice-answer": (
        ("advice",),
        MANAGER_ONLY,
        Post(
            row(302, 403, 403, 403, 403, 302, 403),
            data={"answer": "Every three years, as the pathway says."},
            state=field(AdviceRequest, "advice", "answer"),
            changes=("manager",),
        ),
    ),
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
    # Two more charges to agency A, already invoiced: one invoice raised, one sent.
    invoices = []
    for sent in (None, timezone.now()):
        owed = AttendanceRecordFactory(
            booking=BookingFactory(session=past, person=UserFactory(agency=agency_a)), outcome=Attendance.NO_SHOW
        )
        charge = raise_register_charge(record=owed)
        invoice = Invoice.objects.create(
            number=len(invoices) + 1,
            agency=agency_a,
            period_starts_on=timezone.localdate() - timedelta(days=60),
            period_ends_on=timezone.localdate(),
            total=charge.amount,
            sent_at=sent,
        )
        invoice.file.save("invoice.pdf", ContentFile(b"%PDF-1.4 an invoice"))
        Charge.objects.filter(pk=charge.pk).update(invoice=invoice)
        invoices.append(invoice)
    year = TrainingYear.objects.create(name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    cycle = TnaCycle.objects.create(
        year=year,
        opens_on=timezone.localdate(),
        deadline=timezone.localdate() + timedelta(days=30),
        opened_at=timezone.now(),
    )
    # The pool's rules are made on first use (PoolPolicy.current); made here, so that a page reading
    # them is not counted as changing something.
    PoolPolicy.current()
    venue = VenueFactory(name="Eastbridge Library", capacity=60)
    # Beat and a worker are running: their heartbeats are fresh.
    health.record_beat_heartbeat()
    health.record_worker_heartbeat()
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
        "delivering": delivering.pk,
        "booking": booking.pk,
        "venue": venue.pk,
        "room": Room.objects.create(venue=venue, name="Room 1", capacity=20).pk,
        "level": Level.objects.first().pk,
        "group": target_groups[1].pk,
        "rule": PathwayRuleFactory(target_group=target_groups[3], level=course.level).pk,
        "charge": raise_register_charge(record=absent).pk,
        "invoice": invoices[0].pk,
        "sent_invoice": invoices[1].pk,
        "period_from": (timezone.localdate() - timedelta(days=60)).strftime("%d/%m/%Y"),
        "period_to": timezone.localdate().strftime("%d/%m/%Y"),
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
        "peer": PeerFigures.objects.create(board="Southshire Safeguarding Partnership", year="2025-26", events=52).pk,
        "headlines": "headlines",
        "people": "people",
        "questionnaire": standard_questionnaire().pk,
        "item": Item.objects.first().pk,
        "issue": PracticeIssue.objects.create(title="Referral thresholds unclear", description="From evaluations").pk,
        # For the POSTs: another agency to move to, a closed account to reopen, an offered place.
        "agency_b": agency_b.pk,
        "category": agency_a.category_id,
        "inactive_a": UserFactory(
            full_name="Dan Price",
            agency=agency_a,
            is_active=False,
            deactivated_at=timezone.now(),
            email_verified_at=timezone.now(),
        ).pk,
        "two_step_a": board_member(
            full_name="Ruth Evans", agency=agency_a, totp_secret="JBSWY3DPEHPK3PXP", totp_enabled_at=timezone.now()
        ).pk,
        "offer": BookingFactory(
            session=session,
            person=UserFactory(agency=agency_a),
            status=BookingStatus.OFFERED,
            offer_expires_at=timezone.now() + timedelta(hours=24),
        ).pk,
    }
    # A single-agency training audit round, open, with agency A's return started (a draft).
    ensure_standard_questions()
    audit_round = tna_services.create_round(
        actor=users["manager"],
        kind=ReturnKind.AUDIT,
        title="Single-agency training audit 2026",
        opens_on=timezone.localdate(),
        deadline=timezone.localdate() + timedelta(days=30),
        questions=[(q.text, q.hint) for q in AuditQuestion.objects.all()],
    )
    TnaCycle.rounds.filter(pk=audit_round.pk).update(opened_at=timezone.now())
    audit_return = tna_services.start_return(agency=agency_a, cycle=audit_round)
    paper = CommitteePaper.objects.create(
        kind="audit", cycle=audit_round, title="Audit report", status=PaperStatus.DONE, requested_by=users["manager"]
    )
    paper.file.save("audit.pdf", ContentFile(b"%PDF-1.4 a finished paper"))
    # The sub-committee: agency A's member, a meeting before today, and an action for agency A's lead.
    member = committee_services.add_member(
        actor=users["manager"], person=person_a, role="member", joined_on=date(2025, 1, 6)
    )
    meeting = committee_services.create_meeting(actor=users["manager"], held_on=date(2026, 6, 10), agenda="")
    action = committee_services.add_action(
        actor=users["manager"],
        meeting=meeting,
        text="Send the induction figures",
        owner=users["lead_a"],
        due_on=date(2026, 7, 1),
    )
    args |= {
        "decision": committee_services.add_decision(
            actor=users["manager"], meeting=meeting, text="Programme 2026-27 approved"
        ).pk,
        "member": member.pk,
        "meeting": meeting.pk,
        "action": action.pk,
        "staff_email": users["staff"].email,
        "audit_round": audit_round.pk,
        "audit_return": audit_return.pk,
        "audit_question": AuditQuestion.objects.first().pk,
        "audit_question_asked": audit_return.answers.first().question_id,
        "paper": paper.pk,
        "advice": AdviceRequest.objects.create(
            agency=agency_a, asked_by=users["lead_a"], question="Is e-learning enough for induction?"
        ).pk,
    }
    args["external_a"] = ExternalTraining.objects.create(
        person=person_a,
        level=Level.objects.get(pk=args["level"]),
        title="Safeguarding children: basic awareness",
        provider="Northshire Police e-learning",
        completed_on=date(2026, 1, 12),
        certificate=ContentFile(b"%PDF-1.4 certificate", name="certificate.pdf"),
    ).pk
    args["level_number"] = Level.objects.get(pk=args["level"]).number
    args["group_number"] = target_groups[1].number
    args["group"] = target_groups[1].pk
    return users, args


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, world, name):
    users, args = world
    arg_names, expected, _ = MATRIX[name]
    url = reverse(name, args=[args[a] for a in arg_names])
    answers = {}
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        answers[role] = client.get(url).status_code
    assert answers == expected, f"{name} ({url})"


def footprint():
    """How many rows every table holds (the audit trail, the email outbox and the links between
    records included), read in one query."""
    tables = sorted(
        table
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if table != "django_session"  # signing each role in is the test's doing, not the page's
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone()))


def changed_tables(before, after):
    return {table: (before[table], after[table]) for table in before if before[table] != after[table]}


def test_every_entry_says_what_a_post_does():
    for name, entry in MATRIX.items():
        assert len(entry) == 3 and (entry[2] == READS_ONLY or isinstance(entry[2], Post)), name


@contextmanager
def post_as(client, user, url, form):
    """One role's POST, rolled back afterwards so the next role meets the same world."""
    for cache in caches.all():
        cache.clear()  # what the last role's request remembered (the person, cached pages)
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = client.post(url, form)
        yield response
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", sorted(n for n, entry in MATRIX.items() if entry[2] != READS_ONLY))
def test_each_role_may_post_only_where_the_table_says(client, world, name):
    users, args = world
    arg_names, _, post = MATRIX[name]
    url = reverse(name, args=[args[a] for a in arg_names])
    form = post.form(args)
    read = post.state or (lambda ids: None)
    answers = {}
    for role in ROLES:
        before, rows_before = read(args), footprint()
        with post_as(client, users[role], url, form) as response:
            answers[role] = response.status_code
            after, rows_after = read(args), footprint()
            if role in post.changes:
                assert (after, rows_after) != (before, rows_before), f"{name}: {role}'s POST changed nothing"
            else:  # refused, or allowed but the form was not right: nothing may change
                assert (after, changed_tables(rows_before, rows_after)) == (before, {}), f"{name}: {role}"
    assert answers == post.expected, f"POST {name} ({url})"


@pytest.mark.parametrize("name", sorted(n for n, entry in MATRIX.items() if entry[2] == READS_ONLY))
def test_pages_that_only_read_change_nothing_when_posted_to(client, world, name):
    users, args = world
    arg_names, _, _ = MATRIX[name]
    url = reverse(name, args=[args[a] for a in arg_names])
    for role in ROLES:
        before = footprint()
        with post_as(client, users[role], url, {"anything": "at all"}) as response:
            assert response.status_code < 500, f"{name}: {role}"
            assert not changed_tables(before, footprint()), f"{name}: a POST by {role} changed something"


def test_the_admin_site_is_closed_to_every_role(client, world):
    users, _ = world
    for role, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response.url, role
