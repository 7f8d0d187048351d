"""With the real broker: a report export requested on the page is built by a Celery worker."""

import os
import time

import pytest
from django.urls import reverse

from indices.models import ReportExport
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker_thread():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (REDIS_URL) for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


def test_a_celery_worker_builds_the_requested_export(client, world, celery_worker_thread):
    factories.make_cchc_score(unit=world.unit_a, year=2017, points="82.36")
    client.force_login(world.province)

    response = client.post(reverse("reports:export-create"), {"year": 2017, "file_format": "xlsx"})

    export = ReportExport.objects.get()
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while export.status != ReportExport.Status.DONE and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.progress == 100
    assert export.file.read()[:2] == b"PK"
