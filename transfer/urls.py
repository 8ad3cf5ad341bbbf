from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("confirm", views.confirm, name="confirm"),
    path("export", views.export, name="export"),
    path("guide", views.guide, name="guide"),
    path("examples/<slug:key>.csv", views.example, name="example"),
]
