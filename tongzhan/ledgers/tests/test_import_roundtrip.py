"""The 统战对象名册 this application exports imports back: its two-row header 学历学位 over
全日制教育 | 在职教育, its 乡镇（街道） and 村/社区 columns, its masked ID numbers and
phones (warnings: the digits are not in the file, which is no reason to refuse the
person). Another county's ledger is often an export of a system like this one."""

import pytest

from tongzhan.ledgers import services
from tongzhan.ledgers.importer import columns
from tongzhan.ledgers.models import ImportRow
from tongzhan.ledgers.tests.test_exports import download
from tongzhan.people.models import Person


@pytest.fixture
def educated(detailed):
    detailed.fulltime_education = "大学本科 管理学学士"
    detailed.inservice_education = "研究生 工商管理硕士"
    detailed.phone = "13812345678"
    detailed.save()
    return detailed


def test_the_masked_roster_imports_back_without_errors(educated, world, as_persona, tmp_path):
    book = download(as_persona("county_staff"))
    path = tmp_path / "清溪县统战对象名册.xlsx"
    path.write_bytes(book.content)
    job = services.run_import(path, world.user("county_staff"), dry_run=True).job
    rows = {r.summary["name"]: r for r in ImportRow.objects.filter(job=job)}
    # The persons, and the sign-off and 导出人 lines below them, skipped as the form's foot.
    assert job.error_count == 0 and job.skipped_count == 2
    assert job.ok_count + job.warning_count == Person.objects.count()
    assert not job.layout["ignored"]

    row = rows[educated.name]
    # Filed where the person is: the village, read from 村/社区 under its township.
    assert row.data["region_id"] == educated.region_id
    assert row.data["fulltime_education"] == "大学本科 管理学学士"
    assert row.data["inservice_education"] == "研究生 工商管理硕士"
    assert "id_number_encrypted" not in row.data and "phone_encrypted" not in row.data
    messages = " ".join(message for _level, _column, message in row.issues)
    assert "身份证号“330599********1234”是脱敏后的号码" in messages
    assert "联系电话“138****5678”是脱敏后的号码" in messages
    assert row.state == "warning"
    for person in Person.objects.all():
        assert rows[person.name].data["region_id"] == person.region_id


def test_a_header_names_the_village_with_a_slash_and_education_by_kind():
    assert columns.match_header("村/社区") == "region"
    layout = columns.find_layout(
        [
            ["姓名", "学历学位", "", "村/社区"],
            ["", "全日制教育", "在职教育", ""],
        ]
    )
    assert layout.header_rows == [0, 1]
    assert layout.columns == {
        "name": 0,
        "fulltime_education": 1,
        "inservice_education": 2,
        "region": 3,
    }
