"""The demo partnership's view of other Boards: eight neighbouring Boards' published figures for
2026-27, so the dashboard and the annual report show where Northshire stands among them.
Deterministic and safe to run twice."""

from decimal import Decimal

from .models import PeerFigures

# Board, children in need, courses or events, training days, attendance, total cost (None: not published)
PEERS = [
    ("Eastshire Safeguarding Children Partnership", 2950, 48, Decimal("39.5"), 910, Decimal("61200")),
    ("Westmoor Safeguarding Children Board", 4100, 71, Decimal("58"), 1480, Decimal("84300")),
    ("Castlegate Safeguarding Children Partnership", 1880, 22, Decimal("19.25"), 395, Decimal("27650")),
    ("Riverdale Safeguarding Children Board", 3620, 55, Decimal("47.5"), 1175, None),
    ("Southvale Safeguarding Children Partnership", 5230, 96, Decimal("81"), 2210, Decimal("118900")),
    ("Northwold Safeguarding Children Board", 2410, 30, Decimal("26.5"), 640, Decimal("39800")),
    ("Harbourside Safeguarding Children Partnership", None, 41, Decimal("35"), 820, Decimal("52400")),
    ("Fenland Edge Safeguarding Children Board", 1560, 19, Decimal("15.75"), 350, Decimal("21100")),
]


def seed(stdout=None) -> None:
    for board, children, events, days, attendance, cost in PEERS:
        PeerFigures.objects.get_or_create(
            board=board,
            year="2026-27",
            defaults={
                "children_in_need": children,
                "events": events,
                "training_days": days,
                "attendance": attendance,
                "total_cost": cost,
            },
        )
