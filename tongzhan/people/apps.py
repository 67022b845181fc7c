from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tongzhan.people"
    verbose_name = "统战对象"
