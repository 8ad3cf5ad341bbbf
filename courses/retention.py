"""What the courses app removes when a person's details are erased (see accounts/retention.py)."""

from .models import Booking, ExternalTraining


def erase_person(person) -> None:
    """Access and dietary needs (often health information) go from every booking. Training done
    elsewhere stays as evidence of training, like attendance records; the certificate file goes."""
    Booking.objects.filter(person=person).exclude(access_needs="").update(access_needs="")
    for record in ExternalTraining.objects.filter(person=person).exclude(certificate=""):
        record.certificate.delete(save=False)
        record.certificate = ""
        record.save(update_fields=["certificate"])
