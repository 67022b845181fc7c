"""Engagement pages, one module per record kind; each module exposes `urlpatterns`."""
