"""The authorization matrix: every URL pattern and every API operation × persona × in/out
of scope. Each app lists its rows in tongzhan/<app>/tests/access_matrix.py; an endpoint
that no row covers fails the build."""

import importlib
import json as jsonlib
import pkgutil

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import tongzhan
from tongzhan.api.urls import api
from tongzhan.testing import ALL_PERSONAS, Case, login_as


def collect_cases() -> list[Case]:
    cases = []
    for module in pkgutil.iter_modules(tongzhan.__path__):
        if not module.ispkg:
            continue
        name = f"tongzhan.{module.name}.tests.access_matrix"
        try:
            matrix = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "-"):
                raise
            continue
        cases.extend(matrix.CASES)
    return cases


CASES = collect_cases()


def url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                names.add(f"{namespace}<unnamed {entry.pattern}>")
            else:
                names.add(f"{namespace}{entry.name}")
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_url_pattern_and_api_operation_is_in_the_matrix():
    covered = {case.route for case in CASES}
    # API operations are named by method and path; ninja's own pages by URL name.
    pages = {n for n in url_names() if not n.startswith("api:") or "openapi" in n}
    missing = sorted((pages | api_operations()) - covered)
    assert not missing, f"endpoints missing from the authorization matrix: {missing}"


def test_the_matrix_names_no_endpoint_that_does_not_exist():
    known = url_names() | api_operations()
    unknown = sorted({case.route for case in CASES} - known)
    assert not unknown, f"matrix rows for endpoints that do not exist: {unknown}"


def request_as(client: Client, case: Case, url: str, data):
    method = getattr(client, case.method.lower())
    if case.json:
        return method(url, data=jsonlib.dumps(data or {}), content_type="application/json")
    if case.method == "GET":
        return method(url, data or {})
    return method(url, data or {})


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.method} {c.route} {c.scope}".strip() for c in CASES]
)
def test_each_persona_gets_exactly_its_status(world, case):
    url = case.url(world)
    data = case.data(world) if case.data else None
    wrong = []
    for persona in ALL_PERSONAS:
        # Each persona acts on the same world: its writes roll back before the next one.
        with transaction.atomic():
            client = Client(enforce_csrf_checks=False)
            if persona != "anonymous":
                login_as(client, world.users[persona])
            response = request_as(client, case, url, data)
            transaction.set_rollback(True)
        if response.status_code != case.expected(persona):
            wrong.append(f"{persona}: got {response.status_code}, want {case.expected(persona)}")
    assert not wrong, f"{case.method} {url} ({case.scope}): " + "; ".join(wrong)
