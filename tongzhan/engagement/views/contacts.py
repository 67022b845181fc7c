"""contacts pages."""

urlpatterns: list = []
