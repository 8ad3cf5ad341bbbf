"""Who may do what with courses, sessions, bookings, registers, charges and certificates."""

import rules

from accounts.predicates import is_agency_lead, is_board_member, is_training_manager


@rules.predicate
def is_trainer_of_session(user, session):
    return session is not None and user.is_authenticated and session.trainers.filter(pk=user.pk).exists()


@rules.predicate
def is_booking_owner(user, booking):
    return booking is not None and user.is_authenticated and booking.person_id == user.pk


@rules.predicate
def is_lead_of_booking_agency(user, booking):
    return (
        booking is not None
        and user.is_authenticated
        and user.is_agency_lead
        and booking.agency_id is not None
        and booking.agency_id == user.agency_id
    )


# The programme: catalogue, sessions, venues, pathway, policy.
rules.add_perm("courses.manage_programme", is_training_manager)
# A session's register: the training manager, or a trainer of that session.
rules.add_perm("courses.take_register", is_training_manager | is_trainer_of_session)
# A booking: its person, their agency's lead, or the training manager.
rules.add_perm("courses.view_booking", is_training_manager | is_booking_owner | is_lead_of_booking_agency)
rules.add_perm("courses.change_booking", is_training_manager | is_booking_owner | is_lead_of_booking_agency)
# Charges: the training manager sees all; an agency lead their own agency's.
rules.add_perm("courses.view_charges", is_training_manager | is_agency_lead)
rules.add_perm("courses.waive_charges", is_training_manager)
# Invoices: the training manager raises them; an agency lead sees their own agency's.
rules.add_perm("courses.view_invoices", is_training_manager | is_agency_lead)
rules.add_perm("courses.manage_invoices", is_training_manager)
# An agency's training record summary (red/amber/green).
rules.add_perm("courses.view_agency_training", is_training_manager | is_agency_lead)
# Aggregates only: Board members see figures, never people.
rules.add_perm("courses.view_programme_figures", is_training_manager | is_board_member)
