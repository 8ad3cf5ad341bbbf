from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and agencies"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from common.pagecache import watch_connection

        from . import predicates  # noqa: F401  (registers the permission rules)

        # Every database connection of every process (web, worker, commands, tests) watches its
        # own statements, so any write makes the cached pages out of date (common/pagecache.py).
        connection_created.connect(watch_connection, dispatch_uid="pagecache-watch")
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                watch_connection(connection=connection)
