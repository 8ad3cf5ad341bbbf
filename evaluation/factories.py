"""Factories for evaluation records: what delegates were asked and answered, focus groups, observations
and practice issues. Used by tests; the texts are what a training team really writes."""

from datetime import timedelta

import factory
from django.utils import timezone

from courses.factories import BookingFactory, CourseFactory, SessionFactory

from . import services
from .models import FocusGroup, Invitation, Observation, PracticeIssue, Stage


class InvitationFactory(factory.django.DjangoModelFactory):
    """A delegate asked the course's straight-after questionnaire (the course's own, once it has settings)."""

    class Meta:
        model = Invitation

    booking = factory.SubFactory(BookingFactory)
    stage = Stage.IMMEDIATE
    questionnaire = factory.LazyAttribute(
        lambda o: services.settings_for(o.booking.session.course).questionnaire_for(o.stage)
    )


class FocusGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusGroup

    course = factory.SubFactory(CourseFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))
    participants = 8
    themes = "Thresholds for a referral to children's social care are unclear to school staff."
    notes = "Two designated safeguarding leads asked for a one-page guide."


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory, days_ahead=-7)
    observed_on = factory.LazyAttribute(lambda o: timezone.localdate(o.session.starts_at))
    observer_name = "Dr Ruth Evans, designated nurse"
    strengths = "Clear use of case studies; every delegate took part."
    areas_to_develop = "Leave more time for the graded care profile exercise."

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class PracticeIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeIssue

    title = "Schools unsure how to refer to the front door"
    description = "Raised in three evaluations and the March focus group."
