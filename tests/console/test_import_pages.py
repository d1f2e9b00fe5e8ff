"""The console's import pages: upload, column mapping, progress, errors; only the admin's own accounts."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from flows.loops import imports
from flows.models import HumanLoop, ImportJob


@pytest.fixture(autouse=True)
def _run_in_the_test(monkeypatch):
    """Without a broker the import runs in a thread after commit; here the test runs it itself."""
    monkeypatch.setattr(imports, "_run_in_background", lambda job_id: None)


def upload(client, flow, text: str, name: str = "rows.csv"):
    return client.post(
        "/console/import/", {"flow": flow.id, "file": SimpleUploadedFile(name, text.encode(), "text/csv")}
    )


@pytest.mark.django_db(transaction=True)
def test_upload_map_and_run_then_the_page_shows_the_outcome(client, personas):
    client.force_login(personas.owner)
    response = upload(client, personas.flow, "id,text\na1,good\na2,bad\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/import/{job.id}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="column-taskObject"' in page  # the sentiment template reads task.input.taskObject

    response = client.post(
        f"/console/import/{job.id}/", {"field": ["taskObject"], "column-taskObject": "text", "name_column": "id"}
    )
    assert response.status_code == 302
    imports.run_import(job.id)
    assert HumanLoop.objects.get(name="a2").input_json == {"taskObject": "bad"}
    progress = client.get(f"/console/import/{job.id}/progress").json()
    assert (progress["state"], progress["processed"], progress["total"], progress["percent"]) == ("done", 2, 2, 100)
    assert "2 loops started." in client.get(f"/console/import/{job.id}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_offers_its_bad_rows_as_a_csv_download(client, personas):
    client.force_login(personas.owner)
    upload(client, personas.flow, "id,text\nok,fine\nno way,fine\n")
    job = ImportJob.objects.get()
    client.post(
        f"/console/import/{job.id}/", {"field": ["taskObject"], "column-taskObject": "text", "name_column": "id"}
    )
    imports.run_import(job.id)
    page = client.get(f"/console/import/{job.id}/").content.decode()
    assert "1 of 2 rows have errors: nothing was imported." in page and 'id="download-errors"' in page
    download = client.get(f"/console/import/{job.id}/errors.csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(row["row"], row["name"], row["error"]) for row in rows] == [("2", "no way", "InvalidInput")]
    assert not HumanLoop.objects.exists()


@pytest.mark.django_db
def test_bad_choices_are_said_on_the_page(client, personas):
    client.force_login(personas.owner)
    response = client.post("/console/import/", {"flow": personas.flow.id}, follow=True)
    assert "Choose a CSV or JSONL file" in response.content.decode()
    upload(client, personas.flow, "a,b\n1,2\n")
    job = ImportJob.objects.get()
    response = client.post(
        f"/console/import/{job.id}/", {"extra_field": "taskObject", "extra_column": "z"}, follow=True
    )
    assert "The file has no column &#x27;z&#x27;" in response.content.decode()
    assert ImportJob.objects.get().state == "uploaded"


@pytest.mark.django_db
def test_an_outsider_cannot_see_use_or_import_into_another_accounts_flow(client, personas):
    client.force_login(personas.owner)
    upload(client, personas.flow, "text\nx\n")
    job = ImportJob.objects.get()
    client.force_login(personas.outsider.owner)
    for url in (
        f"/console/import/{job.id}/",
        f"/console/import/{job.id}/progress",
        f"/console/import/{job.id}/errors.csv",
    ):
        assert client.get(url).status_code == 404
    assert personas.flow.name not in client.get("/console/import/").content.decode()
    response = upload(client, personas.flow, "text\ny\n")
    assert response.status_code == 200 and "Choose one of your active flows." in response.content.decode()
    assert ImportJob.objects.count() == 1
