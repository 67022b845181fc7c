from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tongzhan.orgs"
    verbose_name = "组织"
