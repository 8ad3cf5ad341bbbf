from django.db import models


class Level(models.Model):
    """A level of the training pathway (commonly 1 to 4): data the training manager edits."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Level {self.number}: {self.name}"
