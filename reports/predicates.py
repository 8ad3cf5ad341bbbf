import rules

from accounts.predicates import is_agency_lead, is_board_member, is_training_manager

# The Board's figures: the dashboard, the annual report and every table as CSV.
rules.add_perm("reports.view", is_training_manager | is_board_member)
# Asking for report runs; which runs each person may read is reports/selectors.py (by kind and agency).
rules.add_perm("reports.request", is_training_manager | is_board_member | is_agency_lead)
# Other Boards' published figures (reports/peers.py): recorded, imported and exported by the training manager.
rules.add_perm("reports.manage_peers", is_training_manager)
