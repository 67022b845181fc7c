"""requests pages."""

urlpatterns: list = []
