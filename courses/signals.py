"""Domain signals from `courses` for apps to its right (evaluation, pool, reports).

They carry ids, never objects, and are sent after the transaction commits, so
a receiver can queue a task without seeing uncommitted data. The one exception is
`checking_trainers`, a question asked before the save commits, whose receivers answer.
"""

from django.dispatch import Signal

# A session's register was closed. kwargs: session_id, attended_booking_ids, attendance_ids.
register_closed = Signal()

# A session was cancelled. kwargs: session_id.
session_cancelled = Signal()

# A booking was confirmed (including from the waiting list). kwargs: booking_id.
booking_confirmed = Signal()

# Asked while a session's trainers are being saved, inside that transaction and before it commits:
# each receiver returns a list of warnings (plain sentences) the training manager must see and
# confirm before the save stands. The trainer pool answers with the checks of its Trainers page.
# kwargs: session_id, trainer_ids (the trainers newly chosen).
checking_trainers = Signal()
