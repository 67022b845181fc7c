"""Fixtures shared by every test: the persona world of ARCHITECTURE.md (tongzhan.testing)."""

import pytest
from django.test import Client, override_settings

from tongzhan.core.choices import Category
from tongzhan.testing import (
    COMMUNITY_A2,
    PERSONAS,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    build_regions,
    create_persona,
    login_as,
    make_person,
)


@pytest.fixture(autouse=True, scope="session")
def media_root(tmp_path_factory):
    """Uploaded files (person photos) go to a temporary folder, never to var/media."""
    override = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True, scope="session")
def import_dir(tmp_path_factory):
    """Uploaded ledgers (imports) wait in a temporary folder, never in var/imports."""
    override = override_settings(IMPORT_DIR=tmp_path_factory.mktemp("imports"))
    override.enable()
    yield
    override.disable()


@pytest.fixture
def world(db) -> World:
    regions = build_regions()
    users = {persona: create_persona(persona) for persona in PERSONAS}
    return World(
        regions=regions,
        users=users,
        person_a1=make_person(
            "张青山", VILLAGE_A1, [Category.NON_PUBLIC_ECONOMY], phone="13812345678"
        ),
        person_a2=make_person("释明心", COMMUNITY_A2, [Category.RELIGIOUS]),
        person_b1=make_person("李白石", VILLAGE_B1, [Category.NON_PUBLIC_ECONOMY]),
    )


@pytest.fixture
def as_persona(world):
    """as_persona("township_a") -> a test client logged in as that persona."""

    def _login(persona: str) -> Client:
        return login_as(Client(), world.users[persona])

    return _login


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache. The cache is the process's memory, so a value
    one test left (the security policy, kept 30 s) would otherwise expire at a moment of
    another test's choosing: a query-count test once counted the policy's reload in one of
    the two requests it compared (CI, PostgreSQL, 12 against 11 queries)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English (LocaleMiddleware
    activates it for the thread and nothing resets it) must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
