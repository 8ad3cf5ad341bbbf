from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and agencies"

    def ready(self):
        from . import predicates  # noqa: F401  (registers the permission rules)
