"""`load_demo` builds the seed's world and is idempotent."""

import datetime

import pytest
from django.core.management import call_command

from survey.models import Counter, Unit, UnitGroup, User

pytestmark = pytest.mark.django_db


def _world_state() -> dict:
    return {
        "groups": list(UnitGroup.objects.values_list("code", "name", "position")),
        "units": list(Unit.objects.order_by("code").values_list("code", "name", "group__code", "valid_to")),
        "counters": list(Counter.objects.order_by("code").values_list("code", "unit__code", "name")),
        "users": list(User.objects.order_by("username").values_list("username", "password", "role", "unit__code")),
    }


def test_load_demo_builds_the_37_units_of_2017_in_the_seed_groups(capsys):
    call_command("load_demo", password="demo-pass-2026")

    units_2017 = Unit.objects.active_on(datetime.date(2017, 12, 31))
    assert units_2017.count() == 37
    per_group = {g.name: units_2017.filter(group=g).count() for g in UnitGroup.objects.all()}
    assert per_group == {
        "Cơ quan Trung ương đóng trên địa bàn tỉnh": 5,
        "Cơ quan chuyên môn thuộc UBND tỉnh": 21,
        "UBND huyện, thị xã, thành phố": 11,
        "UBND xã, phường": 0,
    }
    assert units_2017.filter(name="UBND thị xã An Nhơn").exists()
    for unit in Unit.objects.all():
        assert 1 <= unit.counters.count() <= 6
    assert User.objects.get(username="province").role == User.Role.PROVINCE
    officer = User.objects.get(username="officer-so-tu-phap")
    assert officer.unit.name == "Sở Tư pháp" and officer.check_password("demo-pass-2026")
    out = capsys.readouterr().out
    assert "province" in out and "demo-pass-2026" in out


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", password="demo-pass-2026")
    before = _world_state()
    call_command("load_demo", password="demo-pass-2026")
    assert _world_state() == before


def test_districts_end_with_the_2025_reorganisation_and_have_successors():
    call_command("load_demo")
    quy_nhon = Unit.objects.get(code="quy-nhon")
    assert quy_nhon.valid_to == datetime.date(2025, 6, 30)
    assert [u.name for u in quy_nhon.successors.all()] == ["UBND phường Quy Nhơn"]
    assert Unit.objects.active_on(datetime.date(2025, 7, 1)).filter(group__code="cap-huyen").count() == 0


def test_load_demo_refuses_in_production_mode_without_the_flag(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION_MODE = True
    with pytest.raises(CommandError, match="production mode"):
        call_command("load_demo")
    assert not User.objects.exists()
    call_command("load_demo", allow_production=True)
    assert User.objects.filter(username="province").exists()


def test_load_demo_never_changes_an_existing_password():
    call_command("load_demo", password="demo-pass-2026")
    admin = User.objects.get(username="admin")
    admin.set_password("a-real-secret-2026")
    admin.save()

    call_command("load_demo")

    admin.refresh_from_db()
    assert admin.check_password("a-real-secret-2026")
    assert not admin.check_password("hailong-demo-2026")
