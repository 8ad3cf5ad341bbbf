"""Domain signals from `courses` for apps to its right (evaluation, pool, reports).

They carry ids, never objects, and are sent after the transaction commits, so
a receiver can queue a task without seeing uncommitted data.
"""

from django.dispatch import Signal

# A session's register was closed. kwargs: session_id, attended_booking_ids, attendance_ids.
register_closed = Signal()

# A session was cancelled. kwargs: session_id.
session_cancelled = Signal()

# A booking was confirmed (including from the waiting list). kwargs: booking_id.
booking_confirmed = Signal()
