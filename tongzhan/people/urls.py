"""URLs of the people app."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("stats/", views.person_stats, name="stats"),
]
