from django.apps import AppConfig


class TnaConfig(AppConfig):
    name = "tna"
    verbose_name = "Training needs analysis"
