import rules

from accounts.predicates import is_board_member, is_training_manager

# The training manager keeps the sub-committee's records; Board members read them.
rules.add_perm("committee.manage", is_training_manager)
rules.add_perm("committee.read", is_training_manager | is_board_member)
