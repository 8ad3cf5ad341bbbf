from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("runs", views.runs, name="runs"),
    path("runs/<int:pk>", views.run, name="run"),
    path("runs/<int:pk>/download", views.download, name="download"),
    path("years/<int:year_pk>/<slug:table>.csv", views.table_csv, name="table-csv"),
]
