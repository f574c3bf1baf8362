from django.apps import AppConfig


class CoachConfig(AppConfig):
    name = "headway.coach"
    label = "coach"
    verbose_name = "Coach"
