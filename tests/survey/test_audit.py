"""The audit log: every configuration change made in the admin is recorded exactly once, with what changed;
entries cannot be edited or deleted, and only administrators can read them."""

import datetime

import pytest
from django.forms import MultiWidget
from django.urls import reverse

from survey.audit import record_audit
from survey.models import (
    AuditEntry,
    Counter,
    Questionnaire,
    QuestionnaireItem,
    Rating,
    ReasonChip,
    ServiceField,
    Unit,
    UnitGroup,
    User,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"admin:survey_{model._meta.model_name}_{view}", args=args)


def _plain(value):
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _put(data, form):
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                if part is not None:
                    data[f"{bound.html_name}_{index}"] = _plain(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [_plain(v) for v in value]
        elif value is not None:
            data[bound.html_name] = _plain(value)


def _form_data(response, **overrides):
    """What the browser would post back from an admin add/change page, with some fields changed."""
    data: dict = {}
    _put(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        _put(data, inline.formset.management_form)
        for form in inline.formset.forms:
            _put(data, form)
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def _add_cases(world):
    return {
        UnitGroup: {"code": "khoi-moi", "name": "Khối mới", "position": "7"},
        Unit: {
            "code": "so-moi",
            "name": "Sở Mới",
            "short_name": "Sở Mới",
            "kind": "department",
            "group": str(world.group.pk),
            "valid_from": "2020-01-01",
        },
        ServiceField: {"code": "dat-dai", "name": "Đất đai"},
        Counter: {"unit": str(world.unit_a.pk), "name": "Quầy số 9", "is_active": "on"},
        ReasonChip: {"code": "khac-thu-nghiem", "label": "Trễ hẹn", "position": "1", "is_active": "on"},
        Questionnaire: {"family": "sipas", "version": "1", "name": "Phiếu SIPAS", "is_active": "on"},
        User: {
            "username": "officer-new",
            "usable_password": "true",
            "password1": "mot-mat-khau-dai-7",
            "password2": "mot-mat-khau-dai-7",
            "role": "officer",
            "unit": str(world.unit_a.pk),
        },
    }


@pytest.mark.parametrize(
    "model", [UnitGroup, Unit, ServiceField, Counter, ReasonChip, Questionnaire, User], ids=lambda m: m.__name__
)
def test_an_admin_add_records_exactly_one_entry(admin_client, world, model):
    # given
    page = admin_client.get(_url(model, "add"))
    data = _form_data(page, **_add_cases(world)[model])
    # when
    response = admin_client.post(_url(model, "add"), data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get()
    created = model.objects.order_by("-pk").first()
    assert entry.action == "admin.add"
    assert entry.actor == world.admin and entry.actor_name == "admin"
    assert (entry.target_type, entry.target_id) == (model._meta.label_lower, str(created.pk))
    assert all(change["before"] is None for change in entry.changes.values())
    assert "password" not in entry.changes
    assert entry.ip_hash


def test_a_change_records_the_changed_fields_before_and_after(admin_client, world):
    page = admin_client.get(_url(Unit, "change", world.unit_a.pk))
    response = admin_client.post(
        _url(Unit, "change", world.unit_a.pk), _form_data(page, short_name="STP", valid_to="2025-06-30")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "admin.change"
    assert entry.target_repr == "Sở Tư pháp"
    assert entry.changes == {
        "short_name": {"before": "Sở Tư pháp", "after": "STP"},
        "valid_to": {"before": None, "after": "2025-06-30"},
    }


def test_a_many_to_many_change_is_recorded(admin_client, world):
    field = ServiceField.objects.create(code="ho-tich", name="Hộ tịch")
    page = admin_client.get(_url(Counter, "change", world.counter_a.pk))
    admin_client.post(_url(Counter, "change", world.counter_a.pk), _form_data(page, fields=[str(field.pk)]))
    assert AuditEntry.objects.get().changes == {"fields": {"before": [], "after": [field.pk]}}


def test_saving_without_a_change_records_nothing(admin_client, world):
    page = admin_client.get(_url(UnitGroup, "change", world.group.pk))
    admin_client.post(_url(UnitGroup, "change", world.group.pk), _form_data(page))
    assert not AuditEntry.objects.exists()


def test_a_role_change_is_recorded(admin_client, world):
    page = admin_client.get(_url(User, "change", world.officer_a.pk))
    response = admin_client.post(_url(User, "change", world.officer_a.pk), _form_data(page, role="lead"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get()
    assert entry.target_repr == "officer-a"
    assert entry.changes == {"role": {"before": "officer", "after": "lead"}}


def test_a_password_reset_by_an_administrator_is_recorded_without_the_password(admin_client, world):
    url = reverse("admin:auth_user_password_change", args=[world.officer_a.pk])
    response = admin_client.post(
        url, {"password1": "mat-khau-moi-rat-dai", "password2": "mat-khau-moi-rat-dai", "usable_password": "true"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "admin.change"
    assert "mat-khau-moi" not in str(entry.changes)
    assert list(entry.changes) == ["password"]


def test_inline_rows_are_recorded_in_the_questionnaire_entry(admin_client, world):
    questionnaire = Questionnaire.objects.create(family="sipas", name="Phiếu")
    QuestionnaireItem.objects.create(questionnaire=questionnaire, code="A1", element="access", text="Cũ")
    page = admin_client.get(_url(Questionnaire, "change", questionnaire.pk))
    data = _form_data(page, **{"items-0-text": "Mới"})
    response = admin_client.post(_url(Questionnaire, "change", questionnaire.pk), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.target_type == "survey.questionnaire"
    assert entry.changes == {
        "inlines": [
            {
                "action": "change",
                "type": "survey.questionnaireitem",
                # The service re-creates the items of an edited questionnaire: the entry names the new row.
                "id": str(questionnaire.items.get(code="A1").pk),
                "repr": "A1 Mới",
                "text": {"before": "Cũ", "after": "Mới"},
            }
        ]
    }


def test_a_list_editable_change_records_one_entry_per_changed_row(admin_client, world):
    other = UnitGroup.objects.create(code="khoi-2", name="Khối 2", position=2)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(world.group.pk),
        "form-0-position": str(world.group.position),
        "form-1-id": str(other.pk),
        "form-1-position": "9",
        "_save": "Lưu",
    }
    response = admin_client.post(_url(UnitGroup, "changelist"), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.target_id == str(other.pk)
    assert entry.changes == {"position": {"before": 2, "after": 9}}


def test_a_delete_records_exactly_one_entry_with_the_old_values(admin_client, world):
    chip = ReasonChip.objects.create(code="chip-thu-nghiem", label="Thái độ")
    response = admin_client.post(_url(ReasonChip, "delete", chip.pk), {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "admin.delete"
    assert entry.target_repr == "Thái độ"
    assert entry.changes["label"] == {"before": "Thái độ", "after": None}


def test_a_bulk_delete_records_one_entry_per_object(admin_client, world):
    chips = [ReasonChip.objects.create(code=f"c{n}", label=f"Lý do {n}") for n in range(3)]
    response = admin_client.post(
        _url(ReasonChip, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(c.pk) for c in chips], "post": "yes"},
    )
    assert response.status_code == 302
    assert sorted(AuditEntry.objects.values_list("target_id", flat=True)) == sorted(str(c.pk) for c in chips)


def test_entries_cannot_be_changed_or_deleted_in_the_admin(admin_client, world):
    entry = record_audit(actor=world.admin, action="report.export", target=world.unit_a, changes={"year": 2017})
    assert admin_client.get(_url(AuditEntry, "changelist")).status_code == 200
    page = admin_client.get(_url(AuditEntry, "change", entry.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(_url(AuditEntry, "change", entry.pk), {"action": "x"}).status_code == 403
    assert admin_client.post(_url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(_url(AuditEntry, "add")).status_code == 403
    response = admin_client.post(
        _url(AuditEntry, "changelist"), {"action": "delete_selected", "_selected_action": [str(entry.pk)]}
    )
    assert AuditEntry.objects.get(pk=entry.pk).action == "report.export"
    assert response.status_code in (200, 302)


def test_entries_cannot_be_changed_or_deleted_in_code(world):
    entry = record_audit(actor=world.admin, action="report.export")
    entry.action = "nothing"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "report.export"


@pytest.mark.parametrize("role", ["officer_a", "lead_a", "province"])
def test_only_administrators_can_view_the_log(client, world, role):
    user = getattr(world, role)
    # Even a staff account holding every model permission is not an administrator.
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(content_type__app_label="survey"))
    entry = record_audit(actor=world.admin, action="report.export")
    client.force_login(user)
    assert client.get(_url(AuditEntry, "changelist")).status_code == 403
    assert client.get(_url(AuditEntry, "change", entry.pk)).status_code == 403
    assert "auditentry" not in client.get(reverse("admin:index")).content.decode()


def test_an_entry_outlives_its_actor(world):
    entry = record_audit(actor=world.officer_b, action="report.export")
    world.officer_b.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor is None and entry.actor_name == "officer-b"


def test_ratings_are_read_only_in_the_admin(admin_client, world):
    """Ratings are the evidence indices are computed from; a status changes only through the audited review."""
    questionnaire = factories.make_questionnaire(items=[("A1", "access")])
    rating = factories.make_rating(counter=world.counter_a, questionnaire=questionnaire, answers={"A1": 2})
    page = admin_client.get(_url(Rating, "change", rating.pk))
    assert page.status_code == 200
    assert world.counter_a.name in page.content.decode()

    response = admin_client.post(
        _url(Rating, "change", rating.pk),
        {"counter": world.counter_b.pk, "unit": world.unit_b.pk, "score": "1", "status": "excluded"},
    )

    assert response.status_code == 403
    assert admin_client.post(_url(Rating, "delete", rating.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(_url(Rating, "add")).status_code == 403
    rating.refresh_from_db()
    assert (rating.counter_id, rating.score, rating.status) == (world.counter_a.pk, 5, Rating.Status.ACCEPTED)
    assert rating.answers.get().value == 2
