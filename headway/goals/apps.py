from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "headway.goals"
    label = "goals"
