import rules

from accounts.predicates import is_board_member, is_training_manager

# Questionnaires, individual answers, free-text review, focus groups, observations, issues.
rules.add_perm("evaluation.manage", is_training_manager)
# Aggregate results (small groups hidden): the Board too.
rules.add_perm("evaluation.view_results", is_training_manager | is_board_member)
