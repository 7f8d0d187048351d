"""Validity dates, successors and the uniqueness of public codes."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from survey.models import Counter, Unit
from tests import factories

pytestmark = pytest.mark.django_db


def test_units_active_on_a_date_respect_validity_bounds():
    group = factories.make_group()
    old = factories.make_unit(group=group, valid_from=datetime.date(2000, 1, 1), valid_to=datetime.date(2025, 6, 30))
    new = factories.make_unit(group=group, valid_from=datetime.date(2025, 7, 1))
    always = factories.make_unit(group=group)

    assert set(Unit.objects.active_on(datetime.date(2017, 12, 31))) == {old, always}
    assert set(Unit.objects.active_on(datetime.date(2025, 6, 30))) == {old, always}
    assert set(Unit.objects.active_on(datetime.date(2025, 7, 1))) == {new, always}
    assert old.is_active_on(datetime.date(2025, 6, 30)) and not old.is_active_on(datetime.date(2025, 7, 1))


def test_successors_resolve_both_ways_through_several_reorganisations():
    district = factories.make_unit(code="district", valid_to=datetime.date(2025, 6, 30))
    ward = factories.make_unit(code="ward", valid_from=datetime.date(2025, 7, 1), valid_to=datetime.date(2030, 1, 1))
    merged = factories.make_unit(code="merged", valid_from=datetime.date(2030, 1, 2))
    district.successors.add(ward)
    ward.successors.add(merged)

    assert [u.code for u in district.final_successors()] == ["merged"]
    assert {u.code for u in merged.lineage()} == {"merged", "ward", "district"}
    assert list(ward.predecessors.all()) == [district]


def test_unit_code_cannot_be_duplicated():
    factories.make_unit(code="so-y-te")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_unit(code="so-y-te")


def test_counter_code_cannot_be_duplicated_and_is_unguessable():
    first = factories.make_counter()
    second = factories.make_counter()
    assert first.code != second.code and len(first.code) >= 10
    with pytest.raises(IntegrityError), transaction.atomic():
        Counter.objects.create(unit=second.unit, name="Quầy trùng mã", code=first.code)


def test_unit_staff_must_belong_to_a_unit():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_user(role="officer", unit=None)
