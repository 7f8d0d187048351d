"""A small named world shared by the tests: two units of one group, their staff, a provincial reviewer and an
administrator. Anonymous citizens use the plain `client` fixture."""

from dataclasses import dataclass

import pytest

from survey.models import Counter, Unit, UnitGroup, User
from tests import factories, fuzzing  # noqa: F401 (fuzzing loads the hypothesis profile)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (throttles and cool-downs live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    group: UnitGroup
    unit_a: Unit
    unit_b: Unit
    counter_a: Counter
    counter_b: Counter
    officer_a: User
    lead_a: User
    officer_b: User
    province: User
    admin: User


@pytest.fixture
def world(db) -> World:
    group = factories.make_group(code="so-nganh", name="Cơ quan chuyên môn thuộc UBND tỉnh")
    unit_a = factories.make_unit(group=group, code="so-tu-phap", name="Sở Tư pháp", short_name="Sở Tư pháp")
    unit_b = factories.make_unit(group=group, code="so-y-te", name="Sở Y tế", short_name="Sở Y tế")
    return World(
        group=group,
        unit_a=unit_a,
        unit_b=unit_b,
        counter_a=factories.make_counter(unit=unit_a, name="Quầy số 1"),
        counter_b=factories.make_counter(unit=unit_b, name="Quầy số 1"),
        officer_a=factories.make_user(username="officer-a", role=User.Role.OFFICER, unit=unit_a),
        lead_a=factories.make_user(username="lead-a", role=User.Role.LEAD, unit=unit_a),
        officer_b=factories.make_user(username="officer-b", role=User.Role.OFFICER, unit=unit_b),
        province=factories.make_user(username="province", role=User.Role.PROVINCE),
        admin=factories.make_user(username="admin", role=User.Role.ADMIN),
    )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: LocaleMiddleware leaves the last request's language active in the thread,
    so a test that asked for English must not change the language of the next test's RequestFactory pages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
