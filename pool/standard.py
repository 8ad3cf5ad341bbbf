"""The criteria a partnership's trainer pool starts with, as the guidance asks of inter-agency trainers
(experience, training, facilitation, agency release, co-delivery, and the values the training stands on).
`setup_partnership` and the demo install them; the training manager edits them afterwards."""

CRITERIA = [
    (
        "At least two years in a role working with children, young people or families",
        "Their application shows current or recent practice, not only management.",
    ),
    (
        "Safeguarding training at level 3 or above within the last three years",
        "Check their training record or their agency lead's endorsement.",
    ),
    (
        "Experience of training, facilitating groups or leading supervision",
        "Delivering to colleagues counts; so does chairing meetings with families.",
    ),
    (
        "Their agency will release them for at least three trainer days a year",
        "The agency lead's endorsement confirms it.",
    ),
    (
        "Will co-deliver with a trainer from another agency and use the Board's materials",
        "Inter-agency delivery is the point of the pool.",
    ),
    (
        "Holds the values the Board's training stands on: children's rights, respect for diversity, "
        "equality, and the experience of the children and families who use services",
        "Look for how their practice or training has put children's views and families' own experience "
        "at the centre, and challenged discrimination.",
    ),
]


def install_criteria(criterion_model) -> int:
    """Add any default criterion that is missing (by its text); never changes one the manager edited."""
    have = set(criterion_model.objects.values_list("text", flat=True))
    missing = [
        criterion_model(text=text, guidance=guidance, position=position)
        for position, (text, guidance) in enumerate(CRITERIA)
        if text not in have
    ]
    criterion_model.objects.bulk_create(missing)
    return len(missing)
