from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "tongzhan.dashboard"
    verbose_name = "首页"
