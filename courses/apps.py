from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses and the training pathway"

    def ready(self):
        from . import predicates  # noqa: F401  (registers the permission rules)
