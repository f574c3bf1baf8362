from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "headway.notify"
    label = "notify"
    verbose_name = "Notifications and schedules"
