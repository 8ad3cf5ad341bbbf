"""The sub-committee's standard questions for a single-agency training audit, drawn from what Board
guidance asks agencies to report on their own training. A data migration installs them (and
`setup_partnership` puts back any that are missing); the training manager chooses which a round asks."""

# number, question, hint
STANDARD_QUESTIONS = [
    (
        1,
        "Induction: within what time are new staff and volunteers given safeguarding training?",
        "Say how soon after starting, which staff it covers, and how you check it has happened.",
    ),
    (
        2,
        "How many of your staff are trained and in date, at each level of the training pathway?",
        "Give numbers and percentages by level, and say where the figures come from.",
    ),
    (
        3,
        "How does your agency evaluate its own safeguarding training?",
        "For example feedback forms, follow-up with line managers, audits of practice.",
    ),
    (
        4,
        "How do you make sure the people who deliver your training are competent to do so?",
        "For example their experience, training for trainers, observation and supervision.",
    ),
    (
        5,
        "What does your agency need from the partnership to train its staff well?",
        "Courses, places, trainers, materials or advice.",
    ),
]


def install(question_model) -> int:
    """Add any standard question that is missing (by number); never changes one the manager edited."""
    have = set(question_model.objects.values_list("number", flat=True))
    missing = [question_model(number=n, text=t, hint=h) for n, t, h in STANDARD_QUESTIONS if n not in have]
    question_model.objects.bulk_create(missing)
    return len(missing)
