"""URLs of the audit app."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("<int:seq>/", views.audit_entry, name="entry"),
    path("verify/", views.audit_verify, name="verify"),
]
