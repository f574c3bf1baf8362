from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "headway.insights"
    label = "insights"
    verbose_name = "Insights"
