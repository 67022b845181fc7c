"""Ledger tests: uploads go to a temporary directory, and tasks run at once (the worker's
own path is tested separately with the database backend)."""

from datetime import date

import pytest

from tongzhan.core.choices import Category, RepresentativeLevel
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.people.models import PoliticalArrangement
from tongzhan.testing import COMMUNITY_A2, make_person

ID_NUMBER = "330599198001011234"  # not checked here: only stored and masked


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


@pytest.fixture
def detailed(world):
    """person_a1 filled in as a county ledger would have it, and a 代表人士 in A2."""
    person = world.person_a1
    person.id_number = ID_NUMBER
    person.native_place = "浙江省清溪县"
    person.ethnicity = "01"
    person.political_status = "06"
    person.education = "21"
    person.work_unit = "清溪县青山茶业有限公司"
    person.post = "董事长"
    person.birth_date = date(1980, 1, 1)
    person.save()
    rep = make_person(
        "王代表",
        COMMUNITY_A2,
        [Category.INTELLECTUAL],
        is_representative=True,
        representative_level=RepresentativeLevel.COUNTY,
    )
    PoliticalArrangement.objects.create(
        person=rep, kind="cppcc", level="county", term="第十届", post="常委"
    )
    return person
