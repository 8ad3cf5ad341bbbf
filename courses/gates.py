"""Places where apps to the right of `courses` may hold something back, or say what they will do, without `courses`
importing them. An app appends a callable in its AppConfig.ready().

`certificate_holds`: callables taking a list of attendance records (with `session` loaded) and
returning {record id: object with `message` and `link`} for certificates to keep back for now.
The evaluation app uses it to release a certificate only once the course evaluation is answered.
"""

certificate_holds: list = []


def held_certificates(records) -> dict:
    held = {}
    for hold in certificate_holds:
        held.update(hold(records))
    return held


# `close_follow_ups`: callables taking (session, booking ids newly recorded as attended, and the register
# line ids of walk-ins newly recorded as attended) and returning
# sentences for the close-register confirmation page ("3 people will be asked to evaluate the course"),
# counted by the same rule the app follows when `register_closed` arrives.
close_follow_ups_providers: list = []


def close_follow_ups(session, booking_ids, walk_in_ids=()) -> list[str]:
    lines = []
    for provider in close_follow_ups_providers:
        lines.extend(provider(session, booking_ids, walk_in_ids))
    return lines
