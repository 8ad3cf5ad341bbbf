"""The roles people hold, stored as Django groups named after them.

An agency lead leads the agency they belong to (`User.agency`); moving a lead
to another agency takes the role away, so nobody silently leads a new agency.
"""

from django.db import models


class Role(models.TextChoices):
    TRAINING_MANAGER = "Training manager", "Training manager"
    AGENCY_LEAD = "Agency lead", "Agency lead"
    TRAINER = "Trainer", "Trainer"
    BOARD_MEMBER = "Board member", "Board member"
    STAFF = "Staff", "Staff member"


ROLE_DESCRIPTIONS = {
    Role.TRAINING_MANAGER: "Runs the training programme: people, agencies, courses, sessions, the pool and reports.",
    Role.AGENCY_LEAD: "Submits their agency's training needs return and sees their agency's staff and training.",
    Role.TRAINER: "Delivers inter-agency courses: sees their assignments and registers.",
    Role.BOARD_MEMBER: "Reads the dashboards and downloads the Board's reports.",
    Role.STAFF: "Books courses and keeps their own training record. Everyone who signs up has this role.",
}
