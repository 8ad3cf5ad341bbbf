"""Money is written one way (common/money.py `format_money`, the `money` filter of `govuk`): no template,
email or service writes a pound sign before a raw number, or rounds money by hand. Pages and emails are
checked by what they show in courses/tests/test_money_written_one_way.py; this keeps new code to the rule."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "common", "config", "courses", "tna", "pool", "evaluation", "reports", "transfer")
BY_HAND = [
    (re.compile(r"£\s*\{\{"), "a pound sign before a template variable: use the money filter"),
    (re.compile(r"floatformat:\s*\"?2"), "money rounded by hand in a template: use the money filter"),
    (re.compile(r"£\{"), "a pound sign before an f-string value: use format_money"),
    (re.compile(r"\{[^}]*:,?\.2f\}"), "a number formatted by hand: use format_money for money"),
]
# Machine-readable cells (CSV) write plain numbers on purpose; money.py is the one place allowed.
ALLOWED = {"common/money.py"}
CSV_VALUE = re.compile(r"def value_\w+\(self, value\):\n\s+return f\"\{value:\.2f\}\"")


def sources():
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            yield path
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def test_nothing_writes_money_by_hand():
    found = []
    for path in sources():
        name = str(path.relative_to(ROOT))
        if name in ALLOWED:
            continue
        text = CSV_VALUE.sub("", path.read_text(encoding="utf-8"))
        for pattern, why in BY_HAND:
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                found.append(f"{name}:{line}: {why}")
    assert found == []
