"""A small named world shared by the tests: two units of one group, their staff, a provincial reviewer and an
administrator. Anonymous citizens use the plain `client` fixture."""

import pytest

from tests import factories, fuzzing  # noqa: F401 (fuzzing loads the hypothesis profile)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = factories.FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (throttles and cool-downs live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> factories.World:
    return factories.make_world()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: LocaleMiddleware leaves the last request's language active in the thread,
    so a test that asked for English must not change the language of the next test's RequestFactory pages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def eager_celery():
    """Run Celery tasks in the calling process even when REDIS_URL points Celery at a broker, so that what a task
    does (an email sent, an export written) is observable in the test. Tests that claim asynchrony use a real
    worker instead (tests/indices/worker.py)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
