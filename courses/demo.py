"""The demo partnership's training pathway."""

from .models import Level

LEVELS = [
    (1, "Basic awareness", "Single-agency, often e-learning; within three months of starting work."),
    (2, "Inter-agency foundation", "Working together: recognising and responding to abuse and neglect across agencies."),
    (3, "Inter-agency advanced", "For those who assess, plan and review: child protection conferences, core groups, complex cases."),
    (4, "Specialist", "Specialist and bespoke training for named and designated professionals and managers."),
]


def seed(stdout=None) -> None:
    for number, name, description in LEVELS:
        Level.objects.update_or_create(number=number, defaults={"name": name, "description": description})
    if stdout:
        stdout.write(f"Training pathway: {len(LEVELS)} levels")
