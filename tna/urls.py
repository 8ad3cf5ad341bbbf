from django.urls import path

from . import views

app_name = "tna"

urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.new_year, name="new"),
    path("returns/<int:pk>", views.return_page, name="return"),
    path("returns/<int:pk>/check", views.check_answers, name="check"),
    path("returns/<int:pk>/reopen", views.reopen, name="reopen"),
    path("returns/<int:pk>/<slug:section>", views.section, name="section"),
    path("cycles/<int:pk>", views.cycle, name="cycle"),
    path("cycles/<int:pk>/returns.csv", views.export_returns, name="export"),
    path("cycles/<int:pk>/import", views.import_returns, name="import"),
    path("cycles/<int:pk>/import/example.csv", views.import_example, name="import-example"),
    path("years/<int:pk>/attendance", views.attendance, name="attendance"),
    path("years/<int:pk>/contributions", views.contributions, name="contributions"),
    path("attendance", views.latest_attendance, name="attendance-latest"),
]
