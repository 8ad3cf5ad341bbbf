from django.apps import AppConfig


class PoolConfig(AppConfig):
    name = "pool"
    verbose_name = "Trainer pool"

    def ready(self):
        from . import predicates, receivers  # noqa: F401  (registers the rules and the signal receivers)
