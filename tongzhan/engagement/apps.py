from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "tongzhan.engagement"
    verbose_name = "联谊交友"

    def ready(self):
        from . import signals  # noqa: F401
