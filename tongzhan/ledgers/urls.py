"""URLs of the ledgers app: imports and exports of the 台账 books."""

from django.urls import path

from .views import exports, imports

app_name = "ledgers"
urlpatterns: list = [
    path("exports/people/", exports.export_people, name="export_people"),
    path("registration/<int:pk>.pdf", exports.registration_pdf, name="registration_pdf"),
    # imports of 花名册 (views/imports.py)
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import_discard"),
    path("imports/<int:pk>/report.xlsx", imports.import_report, name="import_report"),
]
