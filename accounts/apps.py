from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and agencies"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from common.pagecache import data_changed

        from . import predicates  # noqa: F401  (registers the permission rules)

        # Any change to the service's data makes the cached pages out of date.
        post_save.connect(data_changed, dispatch_uid="pagecache-save")
        post_delete.connect(data_changed, dispatch_uid="pagecache-delete")
        m2m_changed.connect(data_changed, dispatch_uid="pagecache-m2m")
