"""pairings pages."""

urlpatterns: list = []
