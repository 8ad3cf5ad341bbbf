from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Board reports"

    def ready(self):
        from . import predicates  # noqa: F401  (registers the permission rules)
