"""Matrix rows for ninja's own pages: the OpenAPI schema and the docs page."""

from tongzhan.testing import Case

CASES = [
    Case(
        "api:openapi-json",
        "GET",
        lambda w: "/api/v1/openapi.json",
        expect={"anonymous": 302},
        others=200,
    ),
    Case(
        "api:openapi-view", "GET", lambda w: "/api/v1/docs", expect={"anonymous": 302}, others=200
    ),
]
