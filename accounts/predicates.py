"""Object-level permission rules (the `rules` package) for people and agencies.

Views check these through `user.has_perm(name, obj)`; the per-resource lookups
in `selectors.py` apply the same scope to querysets so outsiders get a 404.
"""

import rules

from .selectors import is_member_of


@rules.predicate
def is_training_manager(user):
    return user.is_authenticated and user.is_training_manager


@rules.predicate
def is_agency_lead(user):
    return user.is_authenticated and user.is_agency_lead


@rules.predicate
def is_board_member(user):
    return user.is_authenticated and user.is_board_member


@rules.predicate
def is_trainer(user):
    return user.is_authenticated and user.is_trainer


@rules.predicate
def is_lead_of_agency(user, agency):
    return agency is not None and user.is_authenticated and user.is_agency_lead and user.agency_id == agency.pk


@rules.predicate
def is_lead_of_persons_agency(user, person):
    return user.is_authenticated and user.is_agency_lead and is_member_of(person, user.agency_id)


@rules.predicate
def is_self(user, person):
    return person is not None and user.is_authenticated and user.pk == person.pk


rules.add_perm("accounts.list_people", is_training_manager | is_agency_lead)
rules.add_perm("accounts.view_person", is_training_manager | is_lead_of_persons_agency | is_self)
rules.add_perm("accounts.manage_person", is_training_manager)
rules.add_perm("accounts.decide_claims", is_training_manager | is_agency_lead)
rules.add_perm("accounts.manage_agencies", is_training_manager)
rules.add_perm("accounts.view_agency", is_training_manager | is_lead_of_agency)
rules.add_perm("accounts.view_audit", is_training_manager)
rules.add_perm("accounts.manage_partnership", is_training_manager)
