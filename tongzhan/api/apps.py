from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tongzhan.api"
    verbose_name = "接口"
