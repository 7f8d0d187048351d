"""The audit log: record who changed what, and an admin mixin that records every change made in the admin.

`record_audit(*, actor, action, target=None, changes=None, ip_address="")` appends one `AuditEntry`; it is the only
way to write one, and entries are never updated or deleted. Actions are short dotted names: the admin records
`admin.add`, `admin.change` and `admin.delete`; other services use `<noun>.<verb>` (for example
`rating.quarantine_decide`, `report.export`). `changes` maps a field name to `{"before": ..., "after": ...}`.

`AuditedModelAdmin` is a `ModelAdmin` mixin: put it first in the bases of a configuration model's admin and every
add, change (including inline rows and list-editable rows) and delete made in the admin records exactly one entry
per object, with the fields that changed.
"""

import datetime
import json
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .integrity import client_ip, hash_ip
from .models import AuditEntry, User

ADMIN_ADD = "admin.add"
ADMIN_CHANGE = "admin.change"
ADMIN_DELETE = "admin.delete"

# Never copied into the log, whatever the model: secrets and bookkeeping that changes on every login.
NEVER_LOGGED = frozenset({"password", "last_login"})


# Audit hashes use their own salt: an address in the audit log cannot be matched with the ratings' hashes.
AUDIT_IP_SALT = "hailong.audit.ip"


@transaction.atomic
def record_audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    ip_address: str | None = "",
) -> AuditEntry:
    """Append one entry to the audit log and return it. `changes` must be JSON-serialisable after Django's JSON
    encoding (dates, decimals and UUIDs are fine)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes=_plain(changes or {}),
        ip_hash=hash_ip(ip_address, salt=AUDIT_IP_SALT),
    )


class _AuditEncoder(DjangoJSONEncoder):
    """Django's encoder, with times in UTC to the second (a form round trip drops microseconds and changes the
    zone, which is no change), model instances as their ids, and anything else as its text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            if timezone.is_aware(o):
                o = o.astimezone(datetime.UTC)
            return o.replace(microsecond=0).isoformat()
        if isinstance(o, models.Model):
            return o.pk
        if isinstance(o, models.QuerySet):
            return sorted(obj.pk for obj in o)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _plain(value: Any) -> Any:
    """Turn model instances, querysets and Django types into JSON values."""
    return json.loads(json.dumps(value, cls=_AuditEncoder))


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored field values (foreign keys as ids, many-to-many as sorted ids), secrets left out."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in NEVER_LOGGED:
            continue
        values[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(related.pk for related in getattr(obj, field.name).all())
    return _plain(values)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, as `{"field": {"before": old, "after": new}}`."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


class AuditedModelAdmin(ModelAdmin):
    """Records every add, change and delete made through this admin in the audit log (one entry per object)."""

    def _pending(self, request: HttpRequest) -> dict:
        if not hasattr(request, "_audit_pending"):
            request._audit_pending = {}
        return request._audit_pending

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                self._pending(request)[(obj._meta.label_lower, obj.pk)] = {"before": snapshot(stored), "rows": []}
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The forms' instances hold the edited values already; re-read the stored rows for an honest "before".
        pks = [inline_form.instance.pk for inline_form in formset.initial_forms if inline_form.instance.pk]
        before_rows = {pk: snapshot(row) for pk, row in formset.model._default_manager.in_bulk(pks).items()}
        super().save_formset(request, form, formset, change)
        rows = []
        for row in formset.new_objects:
            rows.append(self._row("add", row, diff({}, snapshot(row))))
        for row, _fields in formset.changed_objects:
            rows.append(self._row("change", row, diff(before_rows.get(row.pk, {}), snapshot(row))))
        for row in formset.deleted_objects:
            rows.append(self._row("delete", row, diff(before_rows.get(row.pk, {}), {})))
        parent = form.instance
        entry = self._pending(request).setdefault((parent._meta.label_lower, parent.pk), {"before": None, "rows": []})
        entry["rows"].extend(rows)

    @staticmethod
    def _row(kind: str, row: models.Model, changes: dict) -> dict:
        return {"action": kind, "type": row._meta.label_lower, "id": str(row.pk), "repr": str(row)[:200], **changes}

    def _take(self, request: HttpRequest, obj: models.Model) -> dict:
        return self._pending(request).pop((obj._meta.label_lower, obj.pk), {"before": None, "rows": []})

    def log_addition(self, request, obj, message):
        pending = self._take(request, obj)
        changes = diff({}, snapshot(obj))
        if pending["rows"]:
            changes["inlines"] = pending["rows"]
        record_audit(actor=request.user, action=ADMIN_ADD, target=obj, changes=changes, ip_address=client_ip(request))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        pending = self._take(request, obj)
        if pending["before"] is not None:
            changes = diff(pending["before"], snapshot(obj))
        else:
            # Views that bypass save_model (the password form) say which fields changed, not their values.
            changes = {name: {"before": "…", "after": "…"} for name in _changed_fields(message)}
        if pending["rows"]:
            changes["inlines"] = pending["rows"]
        if changes:
            record_audit(
                actor=request.user, action=ADMIN_CHANGE, target=obj, changes=changes, ip_address=client_ip(request)
            )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record_audit(
                actor=request.user,
                action=ADMIN_DELETE,
                target=obj,
                changes=diff(snapshot(obj), {}),
                ip_address=client_ip(request),
            )
        return super().log_deletions(request, queryset)


def _changed_fields(message: Any) -> list[str]:
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except ValueError:
            return []
    names: list[str] = []
    for part in message or []:
        names.extend(part.get("changed", {}).get("fields", []))
    return names
