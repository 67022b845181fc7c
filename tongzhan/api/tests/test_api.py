"""API-wide behaviour: authentication kinds, CSRF for sessions, the local docs page."""

from django.test import Client

from tongzhan.testing import login_as


def test_a_session_write_without_a_csrf_token_is_refused(world):
    client = login_as(Client(enforce_csrf_checks=True), world.user("county_staff"))
    response = client.delete(f"/api/v1/people/{world.person_a1.pk}")
    assert response.status_code == 403
    assert client.get(f"/api/v1/people/{world.person_a1.pk}").status_code == 200


def test_an_admin_session_that_has_not_passed_totp_is_not_authenticated(world):
    client = Client()
    client.force_login(world.user("county_staff"))
    assert client.get("/api/v1/people/").status_code == 200
    admin = Client()
    admin.force_login(world.user("county_admin"))
    assert admin.get("/api/v1/people/").status_code in (401, 403)


def test_the_openapi_schema_lists_the_people_operations(as_persona):
    schema = as_persona("county_staff").get("/api/v1/openapi.json").json()
    assert "/api/v1/people/" in schema["paths"]
    assert "/api/v1/people/{person_id}" in schema["paths"]


def test_the_docs_page_loads_swagger_from_our_own_static_files(as_persona):
    page = as_persona("county_staff").get("/api/v1/docs").content.decode()
    assert "/static/ninja/" in page
    assert "cdn" not in page.lower()


def test_an_unknown_bearer_token_is_401(world):
    response = Client().get("/api/v1/people/", HTTP_AUTHORIZATION="Bearer tz_nonsense")
    assert response.status_code == 401
