from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from courses import gates

        from . import predicates, receivers  # noqa: F401  (registers the rules and the signal receivers)
        from .services import certificate_holds, close_follow_ups

        if certificate_holds not in gates.certificate_holds:
            gates.certificate_holds.append(certificate_holds)
        if close_follow_ups not in gates.close_follow_ups_providers:
            gates.close_follow_ups_providers.append(close_follow_ups)
