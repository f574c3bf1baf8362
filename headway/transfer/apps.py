from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "headway.transfer"
    label = "transfer"
    verbose_name = "Import and export"
