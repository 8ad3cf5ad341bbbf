from django.apps import AppConfig


class TnaConfig(AppConfig):
    name = "tna"
    verbose_name = "Training needs analysis"

    def ready(self):
        from . import predicates  # noqa: F401  (registers the permission rules)
