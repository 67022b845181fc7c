from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongzhan.core"
    verbose_name = "区划与代码表"

    def ready(self):
        from . import checks  # noqa: F401  (registers the demo-account deploy check)
