"""Ledger tests: uploads go to a temporary directory, and tasks run at once (the worker's
own path is tested separately with the database backend)."""

import pytest

from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.testing import make_person


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def registry(world):
    """The registry persons the messy ledger collides with."""
    for name, region, birth, number in lf.REGISTRY:
        person = make_person(name, region, ["06"], birth_date=birth)
        if number:
            person.id_number = number
            person.save()
    return world
