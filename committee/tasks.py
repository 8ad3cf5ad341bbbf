from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def build_paper(paper_id: int):
    """Build one committee paper; safe to run twice."""
    paper = services.build_paper(paper_id)
    return paper.pk if paper else None
