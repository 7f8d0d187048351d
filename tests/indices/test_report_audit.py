"""Bands and weights, CCHC imports and report exports are written to the audit log, exactly once each."""

import pytest
from django.urls import reverse

from indices.cchc import import_cchc_scores
from indices.models import ReportExport
from survey.models import AuditEntry
from tests.indices.test_report_scheme import GOOD

pytestmark = pytest.mark.django_db


def test_a_scheme_change_is_audited_once_with_before_and_after(client, world):
    client.force_login(world.province)
    client.post(reverse("reports:scheme-edit"), GOOD)
    client.post(reverse("reports:scheme-edit"), {**GOOD, "good_min": "82.36"})
    client.post(reverse("reports:scheme-edit"), {**GOOD, "good_min": "82.36"})  # no change: nothing to log

    entries = list(AuditEntry.objects.filter(action="report_scheme.save").order_by("id"))
    assert len(entries) == 2
    assert all(entry.actor == world.province for entry in entries)
    assert entries[1].changes["good_min"]["after"] in ("82.36", 82.36)


def test_a_cchc_import_is_audited_once(world):
    content = "ma_don_vi,ten_don_vi,diem_dat,diem_toi_da\nso-tu-phap,Sở Tư pháp,82.36,100\n".encode()
    import_cchc_scores(content=content, file_name="cchc.csv", year=2017, by=world.province)
    entry = AuditEntry.objects.get(action="cchc.import")
    assert entry.actor == world.province and entry.changes["rows"] == 1 and entry.changes["year"] == 2017


def test_a_report_export_is_audited_once(client, world, django_capture_on_commit_callbacks, eager_celery):
    client.force_login(world.province)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:export-create"), {"year": 2017, "file_format": "csv"})
    export = ReportExport.objects.get()
    entry = AuditEntry.objects.get(action="report.export")
    assert entry.target_id == str(export.pk) and entry.changes == {"year": 2017, "quarter": None, "format": "csv"}
