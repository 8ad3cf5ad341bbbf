"""The standard questionnaires every partnership starts with, written for this service.
A data migration installs them; the training manager can edit them (which makes new versions)."""

PRACTICE_CHANGES = [
    "Improved joint working with other agencies",
    "Improved information sharing",
    "Took a specific safeguarding action I would not have taken before",
    "Changed how I talk with children and families",
    "No change yet",
]

BARRIERS = [
    "Workload or time",
    "Not the right cases yet",
    "Other agencies did not respond",
    "My own agency's procedures",
    "Nothing got in the way",
]

# name, stage, purpose, items: (kind, question, hint, choices, required)
STANDARD = [
    (
        "Confidence before the course",
        "before",
        "Self-rated confidence against each learning outcome, asked before the course.",
        [
            (
                "confidence",
                "How confident do you feel about each of these now?",
                "0 is not at all confident, 10 is completely confident.",
                [],
                True,
            ),
        ],
    ),
    (
        "Course evaluation",
        "immediate",
        "Asked straight after the course of everyone who attended.",
        [
            (
                "confidence",
                "How confident do you feel about each of these now?",
                "0 is not at all confident, 10 is completely confident.",
                [],
                True,
            ),
            ("agreement", "The course met its learning outcomes.", "", [], True),
            ("agreement", "The trainers knew their subject and involved everyone.", "", [], True),
            ("agreement", "I understand other agencies' roles better than before.", "", [], True),
            ("agreement", "I will use what I learned in my work.", "", [], True),
            ("single", "Would you recommend this course to a colleague?", "", ["Yes", "Not sure", "No"], True),
            ("text", "What will you do differently because of this course?", "", [], False),
            ("text", "How could the course be better?", "", [], False),
        ],
    ),
    (
        "Follow-up on practice",
        "follow_up",
        "Asked some weeks after the course: has it changed what people do?",
        [
            (
                "multiple",
                "Since the course, which of these have happened in your work?",
                "Select all that apply.",
                PRACTICE_CHANGES,
                True,
            ),
            (
                "multiple",
                "What, if anything, got in the way of using what you learned?",
                "Select all that apply.",
                BARRIERS,
                False,
            ),
            ("agreement", "The course has made a difference to how I keep children safe.", "", [], True),
            ("text", "Tell us about a case where the course made a difference (leave out names).", "", [], False),
        ],
    ),
]


def install(Questionnaire, Item) -> None:
    """Create the standard questionnaires if they are missing (safe to run twice)."""
    for name, stage, purpose, items in STANDARD:
        questionnaire, created = Questionnaire.objects.get_or_create(
            name=name, version=1, defaults={"stage": stage, "purpose": purpose}
        )
        if created:
            for position, (kind, text, hint, choices, required) in enumerate(items):
                Item.objects.create(
                    questionnaire=questionnaire,
                    position=position,
                    kind=kind,
                    text=text,
                    hint=hint,
                    choices=choices,
                    required=required,
                )


# The values the guidance asks of trainers, which an observer looks for: text, what to look for.
OBSERVATION_VALUES = [
    ("Children's rights", "Children's views, wishes and rights are kept at the centre of the session."),
    ("Respect for diversity", "Examples and discussion reflect the area's communities; assumptions are challenged."),
    (
        "The experience of children and families who use services",
        "Their own words and experience are brought into the session.",
    ),
    ("Equality", "Every delegate can take part; discriminatory practice is named and challenged."),
]


def install_observation_values(value_model) -> int:
    """Add any default value that is missing (by its text); never changes one the manager edited."""
    have = set(value_model.objects.values_list("text", flat=True))
    missing = [
        value_model(text=text, guidance=guidance, position=position)
        for position, (text, guidance) in enumerate(OBSERVATION_VALUES)
        if text not in have
    ]
    value_model.objects.bulk_create(missing)
    return len(missing)
