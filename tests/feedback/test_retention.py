"""The retention purge: old personal data goes, recent data stays, every run is logged (PurgeLog and audit)."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from feedback import retention, services
from feedback.attachments import check_attachments
from feedback.models import Attachment, Case, CaseContact, CaseEvent, PurgeLog, Status
from feedback.services import ContactInput
from feedback.tasks import purge_personal_data_task
from survey.models import AuditEntry, Rating
from tests import factories
from tests.feedback.conftest import png_bytes

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _case_with_personal_data(world, *, finished_days_ago: int | None, email: str) -> Case:
    files = check_attachments([SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")])
    case = factories.make_pakn_case(
        unit=world.unit_a, files=files, contact=ContactInput(email=email, consent_reply=True)
    )
    if finished_days_ago is not None:
        services.change_case_status(case=case, by=world.officer_a, to=Status.REJECTED, note="Không thuộc thẩm quyền.")
        # Move the whole history back in time, as if the case had finished that many days ago.
        CaseEvent.objects.filter(case=case).update(created_at=NOW - datetime.timedelta(days=finished_days_ago))
    return case


def _rating_with_ip_hash(world, *, days_ago: int) -> Rating:
    rating = factories.make_rating(counter=world.counter_a, score=4)
    Rating.objects.filter(pk=rating.pk).update(ip_hash="a" * 64, created_at=NOW - datetime.timedelta(days=days_ago))
    rating.refresh_from_db()
    return rating


@pytest.fixture
def limits(settings):
    settings.PRIVACY_CONTACT_RETENTION_DAYS = 90
    settings.PRIVACY_ATTACHMENT_RETENTION_DAYS = 365
    settings.PRIVACY_RATING_IP_HASH_DAYS = 7
    return settings


def test_purge_removes_old_personal_data_and_keeps_recent_data(world, limits, django_capture_on_commit_callbacks):
    # given cases finished 400 days ago, 100 days ago and yesterday, one still open, and ratings of two ages
    ancient = _case_with_personal_data(world, finished_days_ago=400, email="cu@example.vn")
    old = _case_with_personal_data(world, finished_days_ago=100, email="vua@example.vn")
    recent = _case_with_personal_data(world, finished_days_ago=1, email="moi@example.vn")
    still_open = _case_with_personal_data(world, finished_days_ago=None, email="mo@example.vn")
    # An open case is never purged, however old it is.
    CaseEvent.objects.filter(case=still_open).update(created_at=NOW - datetime.timedelta(days=900))
    ancient_file = Path(ancient.attachments.get().file.path)
    old_rating = _rating_with_ip_hash(world, days_ago=8)
    new_rating = _rating_with_ip_hash(world, days_ago=6)
    old_rating_updated_at = old_rating.updated_at

    # when the purge runs
    with django_capture_on_commit_callbacks(execute=True):
        result = retention.purge_personal_data(now=NOW, trigger="test")

    # then contacts past 90 days and attachments past 365 days are gone, the rest stays
    assert result.as_dict() == {"contacts": 2, "attachments": 1, "rating_ip_hashes": 1}
    assert set(CaseContact.objects.values_list("email", flat=True)) == {"moi@example.vn", "mo@example.vn"}
    assert set(Attachment.objects.values_list("case_id", flat=True)) == {old.pk, recent.pk, still_open.pk}
    assert not ancient_file.exists()
    # the cases themselves stay, with their text and state
    assert Case.objects.filter(pk__in=[ancient.pk, old.pk]).count() == 2
    old_rating.refresh_from_db()
    new_rating.refresh_from_db()
    assert (old_rating.ip_hash, new_rating.ip_hash) == ("", "a" * 64)
    # blanking the hash does not make the rollups think the rating changed
    assert old_rating.updated_at == old_rating_updated_at


def test_every_purge_writes_a_purge_log_and_one_audit_entry(world, limits):
    _case_with_personal_data(world, finished_days_ago=100, email="vua@example.vn")

    first = retention.purge_personal_data(now=NOW, trigger="test")
    second = retention.purge_personal_data(now=NOW, trigger="test")

    logs = list(PurgeLog.objects.order_by("pk"))
    assert [(log.contacts_removed, log.attachments_removed, log.rating_ip_hashes_cleared) for log in logs] == [
        (1, 0, 0),
        (0, 0, 0),
    ]
    assert logs[0].retention_days == {"contacts": 90, "attachments": 365, "rating_ip_hashes": 7}
    entries = AuditEntry.objects.filter(action="privacy.purge").order_by("pk")
    assert [entry.target_id for entry in entries] == [str(first.log.pk), str(second.log.pk)]
    assert entries[0].changes["removed"] == {"contacts": 1, "attachments": 0, "rating_ip_hashes": 0}
    assert entries[0].actor is None


def test_dry_run_counts_and_changes_nothing(world, limits):
    _case_with_personal_data(world, finished_days_ago=400, email="cu@example.vn")
    _rating_with_ip_hash(world, days_ago=30)

    result = retention.purge_personal_data(now=NOW, dry_run=True)

    assert result.as_dict() == {"contacts": 1, "attachments": 1, "rating_ip_hashes": 1}
    assert (CaseContact.objects.count(), Attachment.objects.count()) == (1, 1)
    assert Rating.objects.exclude(ip_hash="").count() == 1
    assert not PurgeLog.objects.exists()
    assert not AuditEntry.objects.filter(action="privacy.purge").exists()


def test_retention_periods_come_from_settings_at_call_time(world, limits):
    _case_with_personal_data(world, finished_days_ago=100, email="vua@example.vn")
    limits.PRIVACY_CONTACT_RETENTION_DAYS = 120
    assert retention.purge_personal_data(now=NOW).contacts == 0
    limits.PRIVACY_CONTACT_RETENTION_DAYS = 30
    assert retention.purge_personal_data(now=NOW).contacts == 1


def test_the_end_of_a_case_is_its_last_move_into_a_finished_state(world, limits):
    # Notes written on a finished case later do not count; a later move into a finished state does.
    case = _case_with_personal_data(world, finished_days_ago=200, email="lai@example.vn")
    services.add_internal_note(case=case, by=world.officer_a, note="Ghi chú sau khi đã kết thúc.")
    assert retention.purge_personal_data(now=NOW, dry_run=True).contacts == 1
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.TRANSITION, from_status=Status.NEEDS_INFORMATION, to_status=Status.REJECTED
    )
    assert retention.purge_personal_data(now=NOW).contacts == 0
    assert CaseContact.objects.filter(case=case).exists()


def test_command_dry_run_reports_and_the_real_run_purges(world, limits, capsys):
    _case_with_personal_data(world, finished_days_ago=400, email="cu@example.vn")

    call_command("purge_personal_data", "--dry-run")
    assert "would remove: contacts=1 attachments=1 rating_ip_hashes=0" in capsys.readouterr().out
    assert CaseContact.objects.count() == 1

    call_command("purge_personal_data")
    assert "removed: contacts=1 attachments=1 rating_ip_hashes=0" in capsys.readouterr().out
    assert CaseContact.objects.count() == 0
    assert PurgeLog.objects.get().trigger == "command"


def test_the_daily_task_calls_the_same_service(world, limits):
    _case_with_personal_data(world, finished_days_ago=400, email="cu@example.vn")
    assert purge_personal_data_task() == {"contacts": 1, "attachments": 1, "rating_ip_hashes": 0}
    assert PurgeLog.objects.get().trigger == "beat"


def test_the_purge_is_in_the_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["purge-personal-data"]
    assert entry["task"] == "feedback.tasks.purge_personal_data_task"
    assert entry["task"] == purge_personal_data_task.name
