from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "headway.rollout"
    label = "rollout"
    verbose_name = "Rollout"
