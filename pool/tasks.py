from celery import shared_task

from . import services


@shared_task
def lapse_members():
    """Daily: lapse active members by the training manager's rules. Safe to run twice."""
    return len(services.lapse_members())
