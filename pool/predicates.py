import rules

from accounts.predicates import is_agency_lead, is_training_manager

rules.add_perm("pool.manage", is_training_manager)
# An agency lead endorses their staff's applications and sees their agency's trainers.
rules.add_perm("pool.view_agency", is_training_manager | is_agency_lead)
