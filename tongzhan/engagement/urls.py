"""URLs of the engagement app: each views module lists its own patterns."""

from .views import contacts, mobile, pairings, requests

app_name = "engagement"
urlpatterns = [
    *pairings.urlpatterns,
    *contacts.urlpatterns,
    *requests.urlpatterns,
    *mobile.urlpatterns,
]
