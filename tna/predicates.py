import rules

from accounts.predicates import is_board_member, is_training_manager

rules.add_perm("tna.manage", is_training_manager)
# Figures only, no people: Board members read attendance against need.
rules.add_perm("tna.view_figures", is_training_manager | is_board_member)
