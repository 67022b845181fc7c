"""Root URLs. Every app keeps its own urls.py; the API lives under /api/v1/."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from tongzhan.api.urls import api

urlpatterns = [
    path("", include("tongzhan.dashboard.urls")),
    path("accounts/", include("tongzhan.accounts.urls")),
    path("regions/", include("tongzhan.core.urls")),
    path("people/", include("tongzhan.people.urls")),
    path("audit/", include("tongzhan.audit.urls")),
    path("orgs/", include("tongzhan.orgs.urls")),
    path("engagement/", include("tongzhan.engagement.urls")),
    path("ledgers/", include("tongzhan.ledgers.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]

handler403 = "tongzhan.dashboard.views.error_403"
handler404 = "tongzhan.dashboard.views.error_404"
handler500 = "tongzhan.dashboard.views.error_500"
