"""The pool pages read who decides an application, and which status changes are open, from the
same rules the services apply: a page never offers what the service would refuse."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, trainer, training_manager
from courses.factories import CourseFactory, SessionFactory
from pool import services
from pool.factories import MembershipFactory
from pool.models import MembershipStatus
from pool.services import PoolError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, target_groups):
    """Emails follow each service call at once."""


def _apply(person):
    return services.apply(
        person=person,
        experience="Ten years as a child protection social worker.",
        specialisms="Neglect; parental substance misuse.",
        facilitation_experience="Co-delivered the neglect toolkit briefings.",
        courses=[CourseFactory(title="Neglect: Recognising and Responding")],
    )


def test_the_applications_page_lists_for_review_exactly_what_the_review_service_accepts(client):
    manager = training_manager(full_name="Helen Carter")
    police = AgencyFactory(name="Northshire Police")
    agency_lead(full_name="Priya Shah", agency=police)
    nursery = AgencyFactory(name="Little Acorns Day Nurseries Ltd")  # no agency lead
    with_lead = _apply(UserFactory(full_name="Mark Evans", agency=police))
    without_lead = _apply(UserFactory(full_name="Grace Obi", agency=nursery))

    client.force_login(manager)
    page = client.get(reverse("pool:applications")).content.decode()
    review_section = page.split("Waiting for your decision")[1].split("Waiting for the agency lead")[0]
    assert "Grace Obi" in review_section and "Mark Evans" not in review_section
    assert "Mark Evans" in page.split("Waiting for the agency lead")[1]

    services.review(actor=manager, membership=without_lead, accepted=True, criteria=[], reason="")
    with pytest.raises(PoolError, match="not waiting for a decision"):
        services.review(actor=manager, membership=with_lead, accepted=True, criteria=[], reason="")


def test_the_lead_is_offered_endorsement_exactly_when_the_endorse_service_accepts_it(client):
    police = AgencyFactory(name="Northshire Police")
    lead = agency_lead(full_name="Priya Shah", agency=police)
    other_lead = agency_lead(full_name="Sean Doyle", agency=AgencyFactory(name="Northshire Council"))
    membership = _apply(UserFactory(full_name="Mark Evans", agency=police))

    client.force_login(other_lead)
    assert "Mark Evans" not in client.get(reverse("pool:applications")).content.decode()
    with pytest.raises(PoolError, match="Only the lead of the applicant's agency"):
        services.endorse(actor=other_lead, membership=membership, endorsed=True, note="")

    client.force_login(lead)
    assert "Mark Evans" in client.get(reverse("pool:applications")).content.decode()
    assert "Endorse or not" in client.get(reverse("pool:member", args=[membership.pk])).content.decode()
    services.endorse(actor=lead, membership=membership, endorsed=True, note="Strong trainer.")
    assert "Endorse or not" not in client.get(reverse("pool:member", args=[membership.pk])).content.decode()


def test_the_applicant_is_told_who_was_asked(client):
    police = AgencyFactory(name="Northshire Police")
    agency_lead(full_name="Priya Shah", agency=police)
    for agency, told in (
        (police, "Your agency lead has been asked to endorse it."),
        (AgencyFactory(name="Little Acorns Day Nurseries Ltd"), "The training manager will review it."),
    ):
        client.force_login(UserFactory(agency=agency))
        response = client.post(
            reverse("pool:apply"),
            {
                "experience": "Eight years as a health visitor.",
                "specialisms": "Perinatal mental health.",
                "facilitation_experience": "Runs the trust's level 2 sessions.",
                "courses": [CourseFactory().pk],
            },
            follow=True,
        )
        assert told in response.content.decode()


@pytest.mark.parametrize(
    "status",
    [
        MembershipStatus.APPLIED,
        MembershipStatus.ACCEPTED,
        MembershipStatus.ACTIVE,
        MembershipStatus.LAPSED,
        MembershipStatus.LEFT,
        MembershipStatus.DECLINED,
    ],
)
def test_change_status_is_offered_exactly_when_some_change_is_open(client, status):
    manager = training_manager()
    membership = MembershipFactory(status=status, trained_on=timezone.localdate() - timedelta(days=30))
    client.force_login(manager)
    offered = "Change status" in client.get(reverse("pool:member", args=[membership.pk])).content.decode()
    accepted = False
    for to in (MembershipStatus.LAPSED, MembershipStatus.ACTIVE, MembershipStatus.LEFT):
        try:
            services.change_status(actor=manager, membership=membership, status=to, reason="Agreed at supervision")
        except PoolError:
            continue
        accepted = True
        break
    assert offered == accepted


def test_both_pages_list_the_same_sessions_a_trainer_delivers(client):
    person = trainer(full_name="Priya Shah")
    MembershipFactory(person=person, status=MembershipStatus.ACTIVE)
    now = timezone.now()
    ended = now - timedelta(days=75)  # within three months, but beyond the pool page's old 60 days
    SessionFactory(
        course=CourseFactory(title="Domestic Abuse and its Impact on Children"),
        starts_at=ended - timedelta(hours=6),
        ends_at=ended,
        bookings_close_at=ended - timedelta(days=3),
        trainers=[person],
    )
    SessionFactory(course=CourseFactory(title="Neglect: Recognising and Responding"), trainers=[person])
    client.force_login(person)
    for name in ("courses:my-training", "pool:mine"):
        page = client.get(reverse(name)).content.decode()
        assert "Domestic Abuse and its Impact on Children" in page, name
        assert "Neglect: Recognising and Responding" in page, name


def test_criteria_are_saved_through_the_service_with_an_audit_entry(client):
    from accounts.models import AuditEntry
    from pool.models import MembershipCriterion

    client.force_login(training_manager(full_name="Helen Carter"))
    data = {"text": "Two years' experience with children and families", "guidance": "", "position": "1", "active": "on"}
    client.post(reverse("pool:criterion-new"), data)
    criterion = MembershipCriterion.objects.get()
    client.post(reverse("pool:criterion-edit", args=[criterion.pk]), {**data, "position": "2"})
    assert MembershipCriterion.objects.get().position == 2
    entry = AuditEntry.objects.get(action="changed pool criterion")
    assert entry.changes == {"position": ["1", "2"]}
    assert AuditEntry.objects.filter(action="added pool criterion").count() == 1
