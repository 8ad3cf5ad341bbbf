"""Whole numbers as people type them and spreadsheets write them: "1200", "1,200" or "1 200".

One parser for every place a count of people is typed or imported (a training needs return's
figures, a file of returns, a file of records), so "1,200" means the same everywhere.
"""

import re

_SEPARATORS = ", \u00a0\u202f"  # a comma, a space, a no-break space, a narrow no-break space
# ASCII digits only ("²" and other Unicode digits are not numbers), optionally grouped in threes by
# one kind of separator.
_WHOLE = re.compile(r"^-?(?:[0-9]+|[0-9]{1,3}(?:([, \u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*)$")


def parse_whole_number(text) -> int:
    """The whole number in `text`, or ValueError saying it is not one."""
    value = str(text if text is not None else "").strip()
    if not _WHOLE.match(value):
        raise ValueError(f"'{value[:20]}' is not a whole number")
    return int(value.translate({ord(c): None for c in _SEPARATORS}))
