from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "headway.teams"
    label = "teams"
