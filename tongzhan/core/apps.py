from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongzhan.core"
    verbose_name = "区划与代码表"
