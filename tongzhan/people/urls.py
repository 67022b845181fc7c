"""URLs of the people app."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("stats/", views.person_stats, name="stats"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/delete/", views.person_delete, name="delete"),
    path("<int:pk>/phone/", views.person_reveal_phone, name="reveal_phone"),
]
