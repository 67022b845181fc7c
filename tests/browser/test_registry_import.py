"""Importing a township's messy 花名册 in the browser, as a 乡镇统战委员 does it: upload the
file as it is, fix nothing, read the error rows, confirm, then find an imported person by
the initials of the name and open the person's 登记表."""

import re

import pytest
from browsing import log_in
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tongzhan.ledgers.models import ImportJob
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.testing import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_queued_tasks() -> None:
    """What `tongzhan worker` does in production, for the tasks queued so far. Without the
    database backend the tasks already ran inside the request that queued them."""
    if "django_tasks_db" in settings.INSTALLED_APPS:
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_township_imports_its_messy_ledger_and_finds_a_person_by_initials(
    page, live_server, world, screenshot, tmp_path
):
    for name, region, birth, number in lf.REGISTRY:
        person = make_person(name, region, ["06"], birth_date=birth)
        if number:
            person.id_number = number
            person.save()
    ledger = lf.write_messy_xlsx(tmp_path / "清溪镇统战对象花名册.xlsx")
    log_in(page, live_server.url, "township_a")

    # Upload the file as the township keeps it.
    page.goto(live_server.url + reverse("ledgers:import_list"))
    page.get_by_test_id("import-new").click()
    page.locator("input[type=file]").set_input_files(str(ledger))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/ledgers/imports/\d+/$"))
    if page.get_by_test_id("import-progress").count():
        screenshot(page, "import-1-checking")
        run_queued_tasks()  # the page polls; the finished check reloads it
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_be_visible(timeout=20_000)

    # The preview: every row with its state; the errors name the column and the reason.
    expect(page.get_by_test_id("count-rows")).to_have_text("33")
    expect(page.get_by_test_id("count-error")).to_have_text("12")
    expect(page.get_by_test_id("count-skipped")).to_have_text("3")
    rows = page.get_by_test_id("import-rows")
    expect(rows).to_contain_text("被电子表格当成数字")
    expect(rows).to_contain_text("不在您的管辖范围内")
    expect(rows).to_contain_text("该身份证号已登记")
    expect(page.locator("body")).not_to_contain_text(lf.ID_WANG)
    screenshot(page, "import-2-preview")
    page.get_by_test_id("import-state-tabs").get_by_role("link", name="错误").click()
    error_rows = page.locator("[data-testid=import-row]")
    expect(error_rows).to_have_count(12)
    expect(page.locator("[data-testid=import-row][data-line='7']")).to_contain_text("公民身份号码")
    screenshot(page, "import-3-errors")

    # Confirm without fixing anything: the good rows go in, the rest are reported.
    page.get_by_role("button", name=re.compile(r"确认导入 18 行")).click()
    page.wait_for_load_state("load")
    run_queued_tasks()
    done = page.get_by_test_id("import-done")
    expect(done).to_be_visible(timeout=20_000)
    expect(done).to_contain_text("已写入 18 人")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert job.rows_total == job.imported_count + job.not_imported_count
    screenshot(page, "import-4-done")
    report = page.request.get(live_server.url + reverse("ledgers:import_report", args=[job.pk]))
    assert report.ok and report.body()[:2] == b"PK"

    # Find an imported person by the initials of the name, 王建国 → wjg, as it is typed:
    # no Enter, the list follows the box (htmx), which keeps the focus; the address
    # follows too, so reloading or sharing it shows the same list.
    page.goto(live_server.url + reverse("people:list"))
    search = page.locator("[data-testid=person-filters] input[name=q]")
    search.press_sequentially("wjg", delay=60)
    table = page.get_by_test_id("person-table")
    expect(table).to_contain_text("王建国")
    expect(page.get_by_test_id("person-results")).to_contain_text("按姓名全拼或首字母查找")
    expect(search).to_be_focused()
    expect(page).to_have_url(re.compile(r"[?&]q=wjg(&|$)"))
    # The export button follows the list: it exports what is shown.
    expect(page.get_by_test_id("export-people")).to_have_attribute("href", re.compile("q=wjg"))
    screenshot(page, "import-5-found-by-initials")

    # Open the person and the 登记表 (PDF).
    with page.expect_navigation(wait_until="load"):
        table.get_by_role("link", name="王建国").click()
    href = page.get_by_test_id("registration-pdf").get_attribute("href")
    pdf = page.request.get(href if href.startswith("http") else live_server.url + href)
    assert pdf.ok, pdf.status
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:5] == b"%PDF-"
    screenshot(page, "import-6-person")
