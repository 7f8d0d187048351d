"""Fixtures of the reporting tests: the demo world with its CCHC scores."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    call_command("load_demo", password="demo-pass-2026", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Generated exports go to a temporary MEDIA_ROOT, not into the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
