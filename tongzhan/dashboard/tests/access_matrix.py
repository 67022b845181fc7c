"""Authorization matrix rows for the home page and the root i18n URLs
(see tests/test_authorization_matrix.py). None of them concerns a region's object."""

from django.urls import reverse

from tongzhan.testing import Case

CASES = [
    # Every role has a home page; anonymous visitors go to the login page.
    Case(
        route="dashboard:home",
        method="GET",
        url=lambda w: reverse("dashboard:home"),
        expect={"anonymous": 302},
        others=200,
    ),
    # Switching language is open to everyone, the login page included: it redirects
    # back to `next` and sets the language cookie.
    Case(
        route="set_language",
        method="POST",
        url=lambda w: reverse("set_language"),
        data=lambda w: {"language": "en", "next": "/"},
        expect={},
        others=302,
    ),
    Case(
        route="set_language",
        method="GET",
        url=lambda w: reverse("set_language"),
        data=lambda w: {"next": "/"},
        expect={},
        others=302,
    ),
    # The JavaScript translation catalog holds UI strings only, no data.
    Case(
        route="javascript-catalog",
        method="GET",
        url=lambda w: reverse("javascript-catalog"),
        expect={},
        others=200,
    ),
]
