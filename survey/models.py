"""The organisation (groups, units, counters, staff), questionnaires and citizens' ratings.

Units are effective-dated: a unit is active on a date when `valid_from <= date` and (`valid_to` is empty or
`date <= valid_to`). A merged or renamed unit points to its successors, so its history can be followed.
"""

import datetime
import ipaddress
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Public codes use an alphabet without look-alike characters, so a code can be read aloud or typed from a poster.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_public_code(length: int = 10) -> str:
    """An unguessable code (about 50 bits with the default length) for counters and links."""
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(length))


def new_link_token() -> str:
    return new_public_code(20)


def new_kiosk_token() -> str:
    return new_public_code(24)


class UnitGroup(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("khối đơn vị")
        verbose_name_plural = _("khối đơn vị")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class UnitQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "UnitQuerySet":
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def active(self) -> "UnitQuerySet":
        return self.active_on(timezone.localdate())


class Unit(models.Model):
    class Kind(models.TextChoices):
        CENTRAL = "central", _("Cơ quan Trung ương")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")
        OTHER = "other", _("Khác")

    code = models.SlugField(_("mã"), max_length=40, unique=True, help_text=_("Mã ổn định, không đổi theo thời gian."))
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="units", verbose_name=_("khối"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("đơn vị cha")
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=datetime.date(2000, 1, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["group__position", "name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def lineage(self) -> list["Unit"]:
        """This unit and every unit that it succeeded, directly or not (its whole history)."""
        seen: dict[int, Unit] = {self.pk: self}
        frontier = [self]
        while frontier:
            preds = Unit.objects.filter(successors__in=frontier).exclude(pk__in=seen)
            frontier = list(preds)
            seen.update({u.pk: u for u in frontier})
        return list(seen.values())

    def final_successors(self) -> list["Unit"]:
        """The units that carry this unit's history today (itself when it has no successor)."""
        result: dict[int, Unit] = {}
        frontier, seen = [self], {self.pk}
        while frontier:
            unit = frontier.pop()
            nexts = [u for u in unit.successors.all() if u.pk not in seen]
            if not nexts:
                result[unit.pk] = unit
            for u in nexts:
                seen.add(u.pk)
                frontier.append(u)
        return list(result.values())


class ServiceField(models.Model):
    """A field of service (lĩnh vực) such as land, civil status or business registration."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A service point (quầy) of a unit; its public code is what the QR code at the desk carries."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="counters", verbose_name=_("đơn vị"))
    name = models.CharField(_("tên quầy"), max_length=120)
    code = models.CharField(_("mã công khai"), max_length=32, unique=True, default=new_public_code, editable=False)
    fields = models.ManyToManyField(ServiceField, blank=True, related_name="counters", verbose_name=_("lĩnh vực"))
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["unit__name", "name"]
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")

    def __str__(self) -> str:
        return f"{self.unit.short_name} – {self.name}"


class RetiredCounterCode(models.Model):
    """A code that a counter used to carry: scanning it shows a "replaced" page and records nothing."""

    code = models.CharField(_("mã cũ"), max_length=32, unique=True)
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="retired_codes")
    retired_at = models.DateTimeField(_("thay lúc"), auto_now_add=True)
    retired_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-retired_at"]
        verbose_name = _("mã quầy đã thay")
        verbose_name_plural = _("mã quầy đã thay")

    def __str__(self) -> str:
        return self.code


class User(AbstractUser):
    """A staff account. Officers and unit leads are scoped to one unit; provincial staff see every unit."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ")
        LEAD = "lead", _("Lãnh đạo đơn vị")
        PROVINCE = "province", _("Cán bộ cấp tỉnh")
        INSPECTOR = "inspector", _("Thanh tra tỉnh")
        ADMIN = "admin", _("Quản trị viên")

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("đơn vị")
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["officer", "lead"]) | Q(unit__isnull=False),
                name="unit_staff_have_a_unit",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.role in (self.Role.OFFICER, self.Role.LEAD) and self.unit_id is None:
            raise ValidationError({"unit": _("Cán bộ và lãnh đạo đơn vị phải thuộc một đơn vị.")})

    @property
    def sees_all_units(self) -> bool:
        return self.is_superuser or self.role in (self.Role.PROVINCE, self.Role.ADMIN)

    @property
    def is_unit_staff(self) -> bool:
        return self.role in (self.Role.OFFICER, self.Role.LEAD) and self.unit_id is not None

    @property
    def is_inspector(self) -> bool:
        """The provincial inspectorate (Thanh tra): no unit, and only the complaints that accuse officials."""
        return self.role == self.Role.INSPECTOR

    def can_see_unit(self, unit: Unit | int) -> bool:
        unit_id = unit if isinstance(unit, int) else unit.pk
        return self.sees_all_units or (self.is_unit_staff and self.unit_id == unit_id)


class Element(models.TextChoices):
    """The five SIPAS elements."""

    ACCESS = "access", _("Tiếp cận dịch vụ")
    PROCEDURE = "procedure", _("Thủ tục hành chính")
    CIVIL_SERVANT = "civil_servant", _("Công chức phục vụ")
    RESULT = "result", _("Kết quả giải quyết")
    FEEDBACK_HANDLING = "feedback_handling", _("Tiếp nhận, xử lý góp ý, phản ánh")


class Score(models.IntegerChoices):
    """The SIPAS 5-level scale. "No opinion" is stored as null."""

    VERY_DISSATISFIED = 1, _("Rất không hài lòng")
    DISSATISFIED = 2, _("Không hài lòng")
    NEUTRAL = 3, _("Bình thường")
    SATISFIED = 4, _("Hài lòng")
    VERY_SATISFIED = 5, _("Rất hài lòng")


class QuestionnaireQuerySet(models.QuerySet):
    def current(self) -> "QuestionnaireQuerySet":
        return self.filter(is_active=True, superseded_by__isnull=True)


class Questionnaire(models.Model):
    """A versioned set of items. `family` ties the versions together; editing one that has answers makes a
    new version, so old answers keep the items they were given with."""

    family = models.SlugField(_("họ phiếu"), max_length=60)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống: dùng cho toàn tỉnh."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=False)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thay bằng")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["family", "-version"]
        verbose_name = _("phiếu khảo sát")
        verbose_name_plural = _("phiếu khảo sát")
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="questionnaire_family_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("mã"), max_length=20)
    element = models.CharField(_("yếu tố"), max_length=30, choices=Element.choices)
    text = models.CharField(_("nội dung"), max_length=300)
    text_en = models.CharField(_("nội dung tiếng Anh"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["questionnaire", "position", "code"]
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="item_code_per_questionnaire")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def display_text(self) -> str:
        return self.text_en if get_language() == "en" and self.text_en else self.text


class ReasonChip(models.Model):
    """A "why" chip offered after a low rating (late result, rude staff...)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    label = models.CharField(_("nhãn"), max_length=120)
    label_en = models.CharField(_("nhãn tiếng Anh"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("lý do")
        verbose_name_plural = _("lý do")

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return self.label_en if get_language() == "en" and self.label_en else self.label


class RatingQuerySet(models.QuerySet):
    def counted(self) -> "RatingQuerySet":
        """Ratings that count in indices: quarantined and excluded ones never do."""
        return self.filter(status__in=[Rating.Status.ACCEPTED, Rating.Status.REINSTATED])

    def for_user(self, user: User) -> "RatingQuerySet":
        if user.sees_all_units:
            return self
        if user.is_unit_staff:
            return self.filter(unit_id=user.unit_id)
        return self.none()


class Rating(models.Model):
    """One citizen's rating of one visit. Anonymous: no personal data, only a salted IP hash kept for the
    abuse window. Later steps of the flow (items, chips) update the same row."""

    class Channel(models.TextChoices):
        QR = "qr", _("Mã QR")
        KIOSK = "kiosk", _("Máy tính bảng tại quầy")
        WEB = "web", _("Trang web")
        API = "api", _("API")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Hợp lệ")
        QUARANTINED = "quarantined", _("Đang cách ly")
        REINSTATED = "reinstated", _("Đã khôi phục")
        EXCLUDED = "excluded", _("Đã loại")

    idempotency_key = models.UUIDField(_("khóa chống trùng"), unique=True)
    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("quầy"))
    # Denormalised from the counter so that scoping and rollups never need a join.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("đơn vị"))
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("phiếu")
    )
    score = models.PositiveSmallIntegerField(_("mức hài lòng chung"), choices=Score.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices, default=Channel.QR)
    reasons = models.JSONField(_("lý do"), default=list, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, null=True, blank=True, unique=True)
    verified = models.BooleanField(_("đã xác thực hồ sơ"), default=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.ACCEPTED)
    flags = models.JSONField(_("dấu hiệu nghi vấn"), default=list, blank=True)
    ip_hash = models.CharField(_("mã băm IP"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("lúc đánh giá"), default=timezone.now)
    # Any change (answers added, status re-decided) bumps this, which is how rollups find what to refresh.
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [
            # Staff lists and dashboards filter a unit's or a counter's ratings by time.
            models.Index(fields=["unit", "created_at"], name="rating_unit_created"),
            models.Index(fields=["counter", "created_at"], name="rating_counter_created"),
            # The incremental rollup scans what changed since its last run.
            models.Index(fields=["updated_at"], name="rating_updated"),
            # The few ratings that do not count (quarantined, excluded): the rollup rebuild finds them here to
            # subtract their answers, instead of joining every answer to its rating.
            models.Index(
                fields=["id"], name="rating_not_counted", condition=~Q(status__in=["accepted", "reinstated"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter_id}: {self.score} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def counts_in_indices(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.REINSTATED)

    @property
    def is_low(self) -> bool:
        return self.score <= 2


class RatingAnswer(models.Model):
    """One item's answer of a rating. Build it with `for_rating`, which copies the rating's counter, unit and time."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("mức"), choices=Score.choices, null=True, blank=True)
    # Copied from the rating (which never changes them) so that the rollup rebuild counts answers per counter and
    # day without joining millions of answers to their ratings. The rating's own foreign keys keep integrity.
    counter = models.ForeignKey(
        Counter, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    created_at = models.DateTimeField(_("lúc đánh giá"))

    class Meta:
        ordering = ["rating", "item"]
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5), name="answer_value_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"

    @classmethod
    def for_rating(cls, rating: Rating, *, item_id: int, value: int | None) -> "RatingAnswer":
        return cls(
            rating=rating,
            item_id=item_id,
            value=value,
            counter_id=rating.counter_id,
            unit_id=rating.unit_id,
            created_at=rating.created_at,
        )


class DossierLink(models.Model):
    """A single-use rating link printed on a dossier receipt; a rating made with it is verified."""

    token = models.CharField(_("mã"), max_length=40, unique=True, default=new_link_token)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="dossier_links")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("liên kết hồ sơ")
        verbose_name_plural = _("liên kết hồ sơ")

    def __str__(self) -> str:
        return self.dossier_code


class KioskToken(models.Model):
    """Enables the kiosk page on a tablet at one counter."""

    token = models.CharField(_("mã"), max_length=40, unique=True, default=new_kiosk_token)
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="kiosk_tokens")
    label = models.CharField(_("ghi chú"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã máy tính bảng")
        verbose_name_plural = _("mã máy tính bảng")

    def __str__(self) -> str:
        return f"{self.counter} ({self.label or self.token[:6]})"


class AuditEntryQuerySet(models.QuerySet):
    """The audit log is append-only: bulk updates and deletes are refused like single ones."""

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One audited action: who did what to which object, and the fields it changed (before and after).

    Written only through `survey.audit.record_audit`; never updated or deleted. `actor_name` keeps the username so
    the entry still says who acted after the account is deleted. `changes` maps a field name to
    `{"before": ..., "after": ...}` (see `survey.audit`).
    """

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người thực hiện")
    )
    actor_name = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=80)
    target_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    target_repr = models.CharField(_("đối tượng"), max_length=200, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    ip_hash = models.CharField(_("mã băm IP"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("nhật ký kiểm tra")
        verbose_name_plural = _("nhật ký kiểm tra")
        indexes = [
            # The admin lists one object's history, newest first.
            models.Index(fields=["target_type", "target_id", "created_at"], name="audit_target_created"),
            models.Index(fields=["created_at"], name="audit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs) -> None:
        # An invariant, not business logic: an entry, once written, never changes.
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


# =====================================================================================================================
# Rating integrity (issue 4): thresholds, office networks, counter rhythms, quarantine decisions and alerts.
# The logic lives in `survey/integrity.py` (assessing a submission, alerts) and `survey/quarantine.py` (decisions).
# =====================================================================================================================


def validate_cidr(value: str) -> None:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as error:
        raise ValidationError(
            _("Dải địa chỉ không hợp lệ (ví dụ đúng: 10.20.0.0/16)."), code="invalid_cidr"
        ) from error


class IntegritySettings(models.Model):
    """Every threshold of the abuse layers. One row (pk 1) is used; `load()` creates it with the defaults.

    The defaults, and why, are documented in `docs/integrity.md`.
    """

    device_cooldown_minutes = models.PositiveIntegerField(
        _("thời gian chờ giữa hai lần đánh giá của một thiết bị tại một quầy (phút)"), default=30
    )
    ip_window_minutes = models.PositiveIntegerField(_("cửa sổ đếm theo địa chỉ IP (phút)"), default=10)
    ip_flag_limit = models.PositiveIntegerField(
        _("số đánh giá từ một IP trong cửa sổ, vượt quá thì cách ly"),
        default=25,
        help_text=_("Nhiều người dùng chung một IP (mạng di động, Wi-Fi công cộng), nên ngưỡng này phải rộng."),
    )
    ip_hard_limit = models.PositiveIntegerField(
        _("số đánh giá từ một IP trong cửa sổ, vượt quá thì từ chối (429)"), default=120
    )
    burst_window_minutes = models.PositiveIntegerField(_("cửa sổ phát hiện dồn phiếu (phút)"), default=10)
    burst_multiple = models.FloatField(_("bội số so với nhịp thường ngày"), default=10.0)
    burst_minimum = models.PositiveIntegerField(
        _("số đánh giá tối thiểu trong cửa sổ trước khi coi là dồn phiếu"), default=15
    )
    counter_hard_limit = models.PositiveIntegerField(
        _("số đánh giá tại một quầy trong cửa sổ dồn phiếu, vượt quá thì từ chối (429)"), default=400
    )
    opening_minutes_per_day = models.PositiveIntegerField(_("số phút mở cửa mỗi ngày"), default=480)
    baseline_days = models.PositiveIntegerField(_("số ngày dùng để tính nhịp thường ngày"), default=28)
    unhappy_window_minutes = models.PositiveIntegerField(_("cửa sổ cảnh báo không hài lòng (phút)"), default=15)
    unhappy_min_votes = models.PositiveIntegerField(_("số đánh giá tối thiểu để cảnh báo"), default=4)
    unhappy_share = models.FloatField(_("tỷ lệ không hài lòng để cảnh báo (0..1)"), default=0.5)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cấu hình chống gian lận")
        verbose_name_plural = _("cấu hình chống gian lận")
        constraints = [
            models.CheckConstraint(condition=Q(unhappy_share__gt=0, unhappy_share__lte=1), name="unhappy_share_0_1"),
            models.CheckConstraint(condition=Q(burst_multiple__gt=0), name="burst_multiple_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Cấu hình chống gian lận"))

    @classmethod
    def load(cls) -> "IntegritySettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class OfficeNetwork(models.Model):
    """An address range of an agency's own network: votes from it are quarantined (staff voting for themselves).

    With a unit, only votes for that unit's counters are flagged; without one, votes for every counter are."""

    cidr = models.CharField(_("dải địa chỉ (CIDR)"), max_length=64, validators=[validate_cidr])
    label = models.CharField(_("ghi chú"), max_length=120)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="office_networks",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống: áp dụng cho mọi quầy."),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("mạng nội bộ cơ quan")
        verbose_name_plural = _("mạng nội bộ cơ quan")

    def __str__(self) -> str:
        return f"{self.label} ({self.cidr})"

    def save(self, *args, **kwargs) -> None:
        # Store the canonical form, so that "10.0.0.1/8" is kept as "10.0.0.0/8".
        self.cidr = str(ipaddress.ip_network(self.cidr.strip(), strict=False))
        super().save(*args, **kwargs)


class CounterBaseline(models.Model):
    """A counter's usual rhythm, refreshed daily: the burst detector compares the recent rate with it."""

    counter = models.OneToOneField(Counter, on_delete=models.CASCADE, related_name="baseline")
    daily_ratings = models.FloatField(_("số đánh giá trung bình mỗi ngày làm việc"), default=0)
    daily_dossiers = models.FloatField(_("số hồ sơ trung bình mỗi ngày (theo liên kết hồ sơ)"), default=0)
    computed_at = models.DateTimeField(_("tính lúc"), default=timezone.now)

    class Meta:
        ordering = ["counter"]
        verbose_name = _("nhịp thường ngày của quầy")
        verbose_name_plural = _("nhịp thường ngày của quầy")

    def __str__(self) -> str:
        return f"{self.counter_id}: {self.daily_ratings:.1f}/day"

    @property
    def daily_expected(self) -> float:
        return max(self.daily_ratings, self.daily_dossiers)


class QuarantineDecision(models.Model):
    """A provincial reviewer's decision on quarantined ratings of one unit: who, when, why, how many, which."""

    class Decision(models.TextChoices):
        REINSTATE = "reinstate", _("Khôi phục")
        EXCLUDE = "exclude", _("Loại bỏ")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="quarantine_decisions")
    decision = models.CharField(_("quyết định"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("lý do"))
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="quarantine_decisions", verbose_name=_("người quyết định")
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), default=timezone.now)
    rating_count = models.PositiveIntegerField(_("số đánh giá"))
    ratings = models.ManyToManyField(Rating, related_name="quarantine_decisions", verbose_name=_("đánh giá"))

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("quyết định kiểm duyệt")
        verbose_name_plural = _("quyết định kiểm duyệt")
        indexes = [
            # The unit's history page lists its decisions, newest first.
            models.Index(fields=["unit", "decided_at"], name="qdecision_unit_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.rating_count} ({self.decided_at:%Y-%m-%d %H:%M})"


class IntegrityAlert(models.Model):
    """A burst or a wave of unhappy votes at a counter; the unit's leads are emailed, the province sees it."""

    class Kind(models.TextChoices):
        BURST = "burst", _("Dồn phiếu bất thường")
        UNHAPPY = "unhappy", _("Nhiều đánh giá không hài lòng")

    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="integrity_alerts")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="integrity_alerts")
    window_start = models.DateTimeField(_("từ lúc"))
    window_end = models.DateTimeField(_("đến lúc"))
    vote_count = models.PositiveIntegerField(_("số đánh giá trong cửa sổ"))
    unhappy_count = models.PositiveIntegerField(_("số đánh giá không hài lòng"), default=0)
    expected_count = models.FloatField(_("số đánh giá dự kiến"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    notified_at = models.DateTimeField(_("đã báo lúc"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("số người nhận"), default=0)

    class Meta:
        ordering = ["-window_end"]
        verbose_name = _("cảnh báo")
        verbose_name_plural = _("cảnh báo")
        indexes = [
            # "At most once per counter per window" looks up the counter's latest alert of a kind.
            models.Index(fields=["counter", "kind", "window_end"], name="alert_counter_kind_end"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.counter_id} ({self.window_end:%Y-%m-%d %H:%M})"


class PosterBatch(models.Model):
    """A background job that prints the posters of every active counter of a unit into one PDF."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="poster_batches", verbose_name=_("đơn vị"))
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("tổng số quầy"), default=0)
    done = models.PositiveIntegerField(_("đã tạo"), default=0)
    # Private: served only through a view that checks the unit scope, never from a public URL.
    file = models.FileField(_("tệp PDF"), upload_to="posters/", blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lô áp phích")
        verbose_name_plural = _("lô áp phích")

    def __str__(self) -> str:
        return f"{self.unit} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
