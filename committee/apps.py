from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = "Training sub-committee"

    def ready(self):
        from . import predicates  # noqa: F401  (registers the permission rules)
