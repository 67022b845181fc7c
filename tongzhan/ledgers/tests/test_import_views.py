"""The import pages and API: upload, preview with every row's state, confirm, report; a
job is its owner's alone."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzhan.ledgers import services
from tongzhan.ledgers.models import ImportJob
from tongzhan.ledgers.tests import ledger_files as lf
from tongzhan.people.models import Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, tmp_path, **extra):
    path = lf.write_messy_xlsx(tmp_path / "清溪镇花名册.xlsx")
    with open(path, "rb") as handle:
        return client.post(reverse("ledgers:import_new"), {"file": handle, **extra})


def test_uploading_checks_every_row_and_shows_the_preview(registry, as_persona, tmp_path):
    client = as_persona("township_a")
    response = upload(client, tmp_path)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "ledgers:import_detail", args=[job.pk]
    )
    page = client.get(response.url).content.decode()
    assert job.status == ImportJob.Status.VALIDATED
    assert 'data-testid="count-rows">33<' in page and 'data-testid="count-error">12<' in page
    assert "被电子表格当成数字" in page and "公民身份号码" in page
    assert "不在您的管辖范围内" in page
    assert lf.ID_WANG not in page and lf.ID_WANG[:6] + "********" in page
    assert "确认导入 18 行" in page


def test_the_preview_filters_rows_by_state(registry, as_persona, tmp_path):
    client = as_persona("township_a")
    upload(client, tmp_path)
    job = ImportJob.objects.get()
    page = client.get(reverse("ledgers:import_detail", args=[job.pk]), {"state": "skipped"})
    text = page.content.decode()
    assert text.count('data-testid="import-row"') == 3 and "表尾" in text


def test_confirming_on_the_page_imports_and_the_report_downloads(registry, as_persona, tmp_path):
    client = as_persona("township_a")
    upload(client, tmp_path)
    job = ImportJob.objects.get()
    response = client.post(reverse("ledgers:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Person.objects.filter(name="王建国").exists()
    page = client.get(reverse("ledgers:import_detail", args=[job.pk])).content.decode()
    assert "导入完成：已写入 18 人；15 行未导入" in page
    report = client.get(reverse("ledgers:import_report", args=[job.pk]))
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    assert b"".join(report.streaming_content)[:2] == b"PK"


def test_with_likely_duplicates_each_confirm_button_says_what_it_writes(
    registry, as_persona, tmp_path
):
    """One button imports every ok and warning row, the other leaves the likely duplicates
    out; each names the number it writes (a checkbox beside one count said the wrong one
    when ticked)."""
    client = as_persona("township_a")
    upload(client, tmp_path)
    job = ImportJob.objects.get()
    assert job.duplicate_count > 0
    page = client.get(reverse("ledgers:import_detail", args=[job.pk])).content.decode()
    rest = 18 - job.duplicate_count
    assert f"确认导入 18 行（含疑似重复 {job.duplicate_count} 行）" in page
    assert f"疑似重复的行不导入，导入 {rest} 行" in page
    client.post(reverse("ledgers:import_confirm", args=[job.pk]), {"skip_duplicates": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported_count == rest


def test_a_bad_file_type_is_a_field_error_not_a_500(world, as_persona):
    client = as_persona("township_a")
    bad = SimpleUploadedFile("名单.docx", b"whatever")
    response = client.post(reverse("ledgers:import_new"), {"file": bad})
    assert response.status_code == 200
    assert "不支持的文件类型" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_someone_elses_job_is_not_found(registry, as_persona, tmp_path):
    upload(as_persona("township_a"), tmp_path)
    job = ImportJob.objects.get()
    other = as_persona("county_staff")
    for name in ("import_detail", "import_progress", "import_report"):
        assert other.get(reverse(f"ledgers:{name}", args=[job.pk])).status_code == 404
    assert other.post(reverse("ledgers:import_confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED


def test_the_progress_partial_polls_while_running_and_reloads_when_done(
    registry, as_persona, tmp_path
):
    client = as_persona("township_a")
    upload(client, tmp_path)
    job = ImportJob.objects.get()
    url = reverse("ledgers:import_progress", args=[job.pk])
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING, progress_done=500, progress_total=1000
    )
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running and "500 / 1000" in running


# --- the API ---------------------------------------------------------------------------------------


def api_upload(client, tmp_path):
    path = lf.write_csv(tmp_path / "a.csv")
    with open(path, "rb") as handle:
        return client.post("/api/v1/ledgers/imports", {"file": handle})


def test_the_api_uploads_reports_rows_confirms_and_serves_the_report(world, as_persona, tmp_path):
    client = as_persona("township_a")
    created = api_upload(client, tmp_path)
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["status"] == "validated" and job["rows_total"] == 4 and job["importable"] == 2
    detail = client.get(f"/api/v1/ledgers/imports/{job['id']}", {"state": "error"}).json()
    assert detail["rows_matching"] == 1
    row = detail["rows"][0]
    assert row["line"] == 4 and row["issues"][0]["column"] == "身份证号码"
    confirmed = client.post(f"/api/v1/ledgers/imports/{job['id']}/confirm?skip_duplicates=false")
    assert confirmed.status_code == 202 and confirmed.json()["status"] == "done"
    assert client.post(f"/api/v1/ledgers/imports/{job['id']}/confirm").status_code == 409
    report = client.get(f"/api/v1/ledgers/imports/{job['id']}/report")
    assert report.status_code == 200 and report["Content-Type"] == XLSX


def test_the_api_answers_a_bad_upload_with_field_errors(world, as_persona):
    client = as_persona("township_a")
    response = client.post("/api/v1/ledgers/imports", {"file": SimpleUploadedFile("x.txt", b"x")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_the_api_hides_other_users_jobs(world, as_persona, tmp_path):
    job = api_upload(as_persona("township_a"), tmp_path).json()
    other = as_persona("township_b")
    assert other.get(f"/api/v1/ledgers/imports/{job['id']}").status_code == 404
    assert other.get("/api/v1/ledgers/imports").json() == []


def test_the_run_import_helper_reports_its_timings(world, tmp_path):
    run = services.run_import(lf.write_csv(tmp_path / "a.csv"), world.user("township_a"))
    assert run.job.status == ImportJob.Status.DONE
    assert run.check_seconds > 0 and run.write_seconds > 0 and run.rows_per_second > 0
