import rules

from accounts.predicates import is_agency_lead, is_board_member, is_training_manager

# The Board's figures: the dashboard, the annual report and every table as CSV.
rules.add_perm("reports.view", is_training_manager | is_board_member)
# Report runs: the Board and the training manager all of them; an agency lead their agency's.
rules.add_perm("reports.request", is_training_manager | is_board_member | is_agency_lead)
