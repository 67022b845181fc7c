"""URLs of the ledgers app: imports and exports of the 台账 books."""

app_name = "ledgers"
urlpatterns: list = []
