"""URLs of the people app."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("stats/", views.person_stats, name="stats"),
    path("saved-filters/", views.saved_filter_create, name="saved_filter_create"),
    path("saved-filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("duplicates/", views.person_duplicates, name="duplicates"),
    path("merge/<int:keep_pk>/<int:remove_pk>/", views.person_merge, name="merge"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/delete/", views.person_delete, name="delete"),
    path("<int:pk>/phone/", views.person_reveal_phone, name="reveal_phone"),
    path("<int:pk>/id-number/", views.person_reveal_id_number, name="reveal_id_number"),
    path("<int:pk>/status/", views.person_status, name="status"),
    path("<int:pk>/photo/", views.person_photo, name="photo"),
    path("<int:pk>/photo/file/", views.person_photo_file, name="photo_file"),
]
