"""URLs of the orgs app."""

from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("new/", views.org_create, name="create"),
    path("import/", views.org_import, name="import"),
    path("import/confirm/", views.org_import_confirm, name="import_confirm"),
    path("export/", views.org_export, name="export"),
    path("person-options/", views.person_options, name="person_options"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/delete/", views.org_delete, name="delete"),
    path("<int:pk>/members/new/", views.membership_add, name="membership_add"),
    path(
        "<int:pk>/members/<int:membership_pk>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
]
