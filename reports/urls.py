from django.urls import path

from . import peer_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("runs", views.runs, name="runs"),
    path("runs/<int:pk>", views.run, name="run"),
    path("runs/<int:pk>/download", views.download, name="download"),
    path("years/<int:year_pk>/<slug:table>.csv", views.table_csv, name="table-csv"),
    path("other-boards", peer_views.peer_list, name="peers"),
    path("other-boards/new", peer_views.peer_edit, name="peer-new"),
    path("other-boards/<int:pk>", peer_views.peer_edit, name="peer-edit"),
    path("other-boards/<int:pk>/remove", peer_views.peer_remove, name="peer-remove"),
    path("other-boards/import", peer_views.peer_import, name="peer-import"),
    path("other-boards/ours-<int:year_pk>.csv", peer_views.peer_export, name="peer-export"),
]
