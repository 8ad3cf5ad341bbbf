"""What waits for someone: the entries of a home page's to-do list.

Each app answers for its own work with a selector that returns `TodoItem`s for a person (a fixed
number of queries whatever the data size); the home page, which sits above every app, asks each in
turn and shows the entries with a count above zero. An entry is a sentence with its count and the page
where the work is done, so the list reads "3 registers to close" and links to them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TodoItem:
    count: int
    singular: str  # "register to close"
    plural: str  # "registers to close"
    url: str
    # Late or overdue work is shown first and marked, so it is not lost among the routine.
    overdue: bool = False

    @property
    def text(self) -> str:
        return f"{self.count:,} {self.singular if self.count == 1 else self.plural}"


def waiting(items) -> list[TodoItem]:
    """The entries worth showing: a count above zero, overdue ones first, otherwise in the order given."""
    shown = [item for item in items if item.count > 0]
    return [item for item in shown if item.overdue] + [item for item in shown if not item.overdue]
