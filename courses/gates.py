"""Places where apps to the right of `courses` may hold something back, without `courses`
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
