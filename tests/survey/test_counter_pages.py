"""Staff counter pages: QR downloads, posters, rotation, kiosk tokens, dossier links and batch posters, scoped."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from survey import services
from survey.models import DossierLink, KioskToken, PosterBatch, RetiredCounterCode

pytestmark = pytest.mark.django_db


def _counter_urls(counter):
    return {
        "unit-counters": reverse("survey:unit-counters", args=[counter.unit_id]),
        "qr-png": reverse("survey:counter-qr-png", args=[counter.pk]),
        "qr-svg": reverse("survey:counter-qr-svg", args=[counter.pk]),
        "poster": reverse("survey:counter-poster", args=[counter.pk]),
        "rotate": reverse("survey:counter-rotate", args=[counter.pk]),
        "kiosk": reverse("survey:kiosk-token-create", args=[counter.pk]),
        "dossier": reverse("survey:dossier-link-create", args=[counter.pk]),
    }


@pytest.mark.parametrize("page", ["unit-counters", "qr-png", "qr-svg", "poster", "rotate", "kiosk", "dossier"])
@pytest.mark.parametrize(
    ("who", "own_unit", "expected"),
    [
        ("officer_a", True, 200),
        ("lead_a", True, 200),
        ("officer_b", False, 404),
        ("officer_a", False, 404),
        ("province", False, 200),
        ("admin", True, 200),
    ],
)
def test_counter_pages_are_scoped_to_the_unit(client, world, page, who, own_unit, expected):
    user = getattr(world, who)
    counter = world.counter_a if own_unit else world.counter_b
    if who == "officer_b":
        counter = world.counter_a
    client.force_login(user)
    assert client.get(_counter_urls(counter)[page]).status_code == expected


@pytest.mark.parametrize("page", ["unit-counters", "qr-png", "poster", "rotate"])
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(_counter_urls(world.counter_a)[page])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_units_staff_cannot_rotate_issue_or_mint(client, world):
    client.force_login(world.officer_b)
    urls = _counter_urls(world.counter_a)
    assert client.post(urls["rotate"]).status_code == 404
    assert client.post(urls["kiosk"], {"label": "x"}).status_code == 404
    assert client.post(urls["dossier"], {"dossier_code": "HS-9"}).status_code == 404
    assert not RetiredCounterCode.objects.exists() and not KioskToken.objects.exists()
    assert not DossierLink.objects.exists()


def test_counter_list_for_province_lists_units_and_sends_unit_staff_to_their_unit(client, world):
    client.force_login(world.province)
    html = client.get(reverse("survey:counter-list")).content.decode()
    assert "Sở Tư pháp" in html and "Sở Y tế" in html
    client.force_login(world.officer_a)
    response = client.get(reverse("survey:counter-list"))
    assert response["Location"] == reverse("survey:unit-counters", args=[world.unit_a.pk])


def test_unit_page_lists_only_its_counters_with_links(client, world):
    client.force_login(world.officer_a)
    html = client.get(reverse("survey:unit-counters", args=[world.unit_a.pk])).content.decode()
    assert world.counter_a.code in html and world.counter_b.code not in html
    assert reverse("survey:counter-poster", args=[world.counter_a.pk]) in html
    assert "Quầy và mã QR" in html  # the staff navigation link


def test_rotation_asks_for_confirmation_then_retires_the_old_code(client, world):
    client.force_login(world.officer_a)
    url = reverse("survey:counter-rotate", args=[world.counter_a.pk])
    old = world.counter_a.code

    confirm = client.get(url)
    assert confirm.status_code == 200 and "ngừng nhận đánh giá" in confirm.content.decode()
    world.counter_a.refresh_from_db()
    assert world.counter_a.code == old

    response = client.post(url)
    assert response.status_code == 302
    world.counter_a.refresh_from_db()
    assert world.counter_a.code != old
    assert RetiredCounterCode.objects.get().code == old


def test_poster_download_is_a_pdf_with_the_unit_name(client, world):
    client.force_login(world.officer_a)
    response = client.get(reverse("survey:counter-poster", args=[world.counter_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Sở Tư pháp" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_kiosk_token_issue_shows_the_kiosk_address(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://hailong.example.gov.vn"
    client.force_login(world.lead_a)
    response = client.post(reverse("survey:kiosk-token-create", args=[world.counter_a.pk]), {"label": "Máy 1"})
    token = KioskToken.objects.get()
    assert token.counter == world.counter_a and token.created_by == world.lead_a and token.label == "Máy 1"
    assert f"https://hailong.example.gov.vn/kiosk/{token.token}/" in response.content.decode()


def test_kiosk_token_of_another_unit_cannot_be_revoked(client, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="")
    client.force_login(world.officer_b)
    assert client.post(reverse("survey:kiosk-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active
    client.force_login(world.officer_a)
    client.post(reverse("survey:kiosk-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active


def test_dossier_link_form_mints_and_refuses_duplicates_with_a_message(client, world):
    client.force_login(world.officer_a)
    url = reverse("survey:dossier-link-create", args=[world.counter_a.pk])
    ok = client.post(url, {"dossier_code": "HS-2026-01"})
    link = DossierLink.objects.get()
    assert ok.status_code == 200 and f"/r/d/{link.token}" in ok.content.decode()

    duplicate = client.post(url, {"dossier_code": "HS-2026-01"})
    empty = client.post(url, {"dossier_code": ""})
    bad_date = client.post(url, {"dossier_code": "HS-2", "expires_at": "hôm qua"})
    assert duplicate.status_code == empty.status_code == bad_date.status_code == 400
    assert "đã có liên kết" in duplicate.content.decode()
    assert 'aria-describedby="id_dossier_code_error"' in empty.content.decode()
    assert "Thời điểm hết hạn không hợp lệ" in bad_date.content.decode()
    assert DossierLink.objects.count() == 1


def test_batch_posters_run_in_the_background_with_progress(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.officer_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("survey:poster-batch-create", args=[world.unit_a.pk]))
    batch = PosterBatch.objects.get()
    assert response["Location"] == reverse("survey:poster-batch-detail", args=[batch.pk])
    assert len(callbacks) == 1
    pending = client.get(reverse("survey:poster-batch-detail", args=[batch.pk])).content.decode()
    assert "Làm mới để xem tiến độ" in pending and "js/poster_batch.js" in pending

    # The worker's part, run here directly (the task only calls this service).
    services.generate_poster_batch(batch_id=batch.pk)

    status = client.get(reverse("survey:poster-batch-status", args=[batch.pk])).json()
    assert status == {"status": "done", "done": 1, "total": 1, "percent": 100, "finished": True}
    download = client.get(reverse("survey:poster-batch-download", args=[batch.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(pdf.pages) == 1 and "Sở Tư pháp" in pdf.pages[0].extract_text()

    client.force_login(world.officer_b)
    for name in ["poster-batch-detail", "poster-batch-status", "poster-batch-download"]:
        assert client.get(reverse(f"survey:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("survey:poster-batch-create", args=[world.unit_a.pk])).status_code == 404


def test_batch_download_before_it_is_ready_is_404(client, world):
    client.force_login(world.officer_a)
    batch = PosterBatch.objects.create(unit=world.unit_a, total=1)
    assert client.get(reverse("survey:poster-batch-download", args=[batch.pk])).status_code == 404


def test_batch_task_generates_the_pdf(world, settings, tmp_path):
    from survey.tasks import generate_poster_batch_task

    settings.MEDIA_ROOT = tmp_path
    batch = PosterBatch.objects.create(unit=world.unit_a, total=1)
    # Celery's own machinery runs the task body locally, as a worker would.
    generate_poster_batch_task.apply(args=[batch.pk]).get()
    batch.refresh_from_db()
    assert batch.status == PosterBatch.Status.DONE and batch.file.name.endswith(".pdf")


def test_revoking_a_kiosk_token_takes_a_second_explicit_step(client, world):
    token = services.issue_kiosk_token(counter=world.counter_a, by=world.officer_a, label="Máy 1")
    client.force_login(world.officer_a)
    page = client.get(reverse("survey:unit-counters", args=[world.unit_a.pk])).content.decode()
    # The revoke form sits inside a closed <details>: the first tap only opens it and explains the consequence.
    confirm = page.split('<details class="confirm">', 1)[1].split("</details>", 1)[0]
    assert reverse("survey:kiosk-token-revoke", args=[token.pk]) in confirm
    assert "Máy tính bảng dùng mã này sẽ ngừng nhận đánh giá ngay." in confirm
    assert 'class="button danger"' in confirm
