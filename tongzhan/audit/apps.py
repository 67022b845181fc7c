from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tongzhan.audit"
    verbose_name = "审计"
