"""PAKN (phản ánh, kiến nghị): citizens' cases, their append-only event log, attachments, the consent a citizen
gave with their contact details, and the working-day calendar's exceptions.

A case belongs to exactly one unit at a time (transfers move it). `due_date` is the deadline that applies to the
case's current state (classification while received, the answer while accepted, in progress or awaiting approval,
the appeal answer after an appeal, publication once a lead approved the answer); it is empty while the case waits
for the citizen or is finished. `answer_due` is the legal
answer deadline counted from receipt (or from the transfer) and never moves after that: it is what on-time rates
are measured against.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from survey.models import CODE_ALPHABET, Counter, Rating, Unit

# The version of the privacy notice shown beside the contact fields; stored with each consent so that what the
# citizen agreed to can be shown later. Bump it whenever templates/feedback/_privacy_notice.html changes.
PRIVACY_NOTICE_VERSION = "2026-11-25"


def new_tracking_code() -> str:
    """A 16-character code from a 31-letter alphabet: about 79 bits, far beyond guessing or enumeration."""
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(16))


class Category(models.TextChoices):
    LATE_RESULT = "late_result", _("Trả kết quả trễ hẹn")
    HARASSMENT = "harassment", _("Gây phiền hà, sách nhiễu")
    EXTRA_FEES = "extra_fees", _("Đòi tiền, quà ngoài quy định")
    DELIBERATE_DELAY = "deliberate_delay", _("Cố tình kéo dài thời gian giải quyết")
    ATTITUDE = "attitude", _("Thái độ của cán bộ")
    COMPLEX_PROCEDURE = "complex_procedure", _("Thủ tục quá phức tạp")
    FACILITIES = "facilities", _("Cơ sở vật chất")
    OTHER = "other", _("Khác")


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ACCEPTED = "accepted", _("Đã thụ lý")
    REJECTED = "rejected", _("Không thụ lý")
    NEEDS_INFORMATION = "needs_information", _("Cần bổ sung thông tin")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt, chờ công bố")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")


# Complaints that accuse the unit's own officials: the provincial inspectorate (Thanh tra) sees them from the start,
# beside the accused unit, so that the unit is not the only judge of its own staff.
INSPECTORATE_CATEGORIES = (Category.HARASSMENT, Category.EXTRA_FEES, Category.DELIBERATE_DELAY)

FINISHED_STATUSES = (Status.REJECTED, Status.CLOSED)
# The approval of an answer is the agency's internal step: citizens see such a case as still in progress.
PUBLIC_STATUS = {Status.AWAITING_APPROVAL: Status.IN_PROGRESS, Status.APPROVED: Status.IN_PROGRESS}


def public_status(status: str) -> str:
    """The state a citizen is shown for `status`."""
    return PUBLIC_STATUS.get(status, status)


class CaseQuerySet(models.QuerySet):
    def for_user(self, user) -> "CaseQuerySet":
        """The cases a staff account may see: its own unit's, all for provincial staff, and for the provincial
        inspectorate the complaints against officials (`INSPECTORATE_CATEGORIES`) of every unit."""
        if user.sees_all_units:
            return self
        if user.is_unit_staff:
            return self.filter(unit_id=user.unit_id)
        if user.is_inspector:
            return self.filter(category__in=INSPECTORATE_CATEGORIES)
        return self.none()

    def open(self) -> "CaseQuerySet":
        return self.exclude(status__in=FINISHED_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> "CaseQuerySet":
        return self.filter(due_date__lt=today or timezone.localdate())


class Case(models.Model):
    tracking_code = models.CharField(_("mã tra cứu"), max_length=32, unique=True, default=new_tracking_code)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pakn_cases", verbose_name=_("đơn vị"))
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="pakn_cases", verbose_name=_("quầy")
    )
    rating = models.ForeignKey(
        Rating, on_delete=models.SET_NULL, null=True, blank=True, related_name="pakn_cases", verbose_name=_("đánh giá")
    )
    category = models.CharField(_("loại phản ánh"), max_length=30, choices=Category.choices)
    text = models.TextField(_("nội dung"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_pakn_cases",
        verbose_name=_("cán bộ xử lý"),
    )
    rejection_reason = models.TextField(_("lý do không thụ lý"), blank=True)
    public_answer = models.TextField(_("nội dung trả lời"), blank=True)
    draft_answer = models.TextField(
        _("dự thảo trả lời"),
        blank=True,
        help_text=_("Chưa công khai: chờ lãnh đạo đơn vị phê duyệt, hoặc đã phê duyệt và chờ công bố."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người phê duyệt trả lời"),
    )
    approved_at = models.DateTimeField(_("phê duyệt trả lời lúc"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("trả lời lần đầu lúc"), null=True, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    citizen_satisfied = models.BooleanField(_("người dân hài lòng với trả lời"), null=True, blank=True)
    citizen_rated_at = models.DateTimeField(_("người dân đánh giá lúc"), null=True, blank=True)
    rate_requested_at = models.DateTimeField(_("mời đánh giá trả lời lúc"), null=True, blank=True)
    appeal_text = models.TextField(_("nội dung đề nghị xem xét lại"), blank=True)
    appealed_at = models.DateTimeField(_("đề nghị xem xét lại lúc"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("chuyển cấp tỉnh lúc"), null=True, blank=True)
    escalation_reason = models.CharField(_("lý do chuyển cấp tỉnh"), max_length=20, blank=True)
    received_on = models.DateField(_("ngày tiếp nhận tại đơn vị"))
    classify_due = models.DateField(_("hạn phân loại"))
    information_due = models.DateField(_("hạn yêu cầu bổ sung"))
    answer_due = models.DateField(_("hạn trả lời"))
    appeal_answer_due = models.DateField(
        _("hạn trả lời sau khi đề nghị xem xét lại"),
        null=True,
        blank=True,
        help_text=_("Tính một lần khi người dân đề nghị xem xét lại; không đổi khi lịch làm việc được sửa sau đó."),
    )
    due_date = models.DateField(_("hạn hiện tại"), null=True, blank=True)
    reminded_for = models.DateField(_("đã nhắc hạn"), null=True, blank=True)
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    idempotency_key = models.UUIDField(
        _("khóa chống trùng"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Một lần gửi biểu mẫu (hoặc một yêu cầu API) chỉ tạo một phản ánh, dù gửi lại bao nhiêu lần."),
    )
    device_hash = models.CharField(
        _("thiết bị (mã băm)"),
        max_length=32,
        blank=True,
        help_text=_("Mã băm của cookie thiết bị, chỉ để nhận ra phản ánh gửi trùng; không định danh người gửi."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="likely_duplicates",
        verbose_name=_("có thể trùng với phản ánh"),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="pakn_rejected_has_reason"
            ),
        ]
        indexes = [
            # The unit inbox lists a unit's cases by state and deadline.
            models.Index(fields=["unit", "status", "due_date"], name="pakn_unit_status_due"),
            # The deadline job and the provincial overview scan open cases by deadline.
            models.Index(fields=["due_date"], name="pakn_due"),
            # The outcomes selector counts answers due in a period.
            models.Index(fields=["answer_due"], name="pakn_answer_due"),
            # The duplicate check looks at one unit's cases of the last day.
            models.Index(fields=["unit", "created_at"], name="pakn_unit_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def concerns_inspectorate(self) -> bool:
        return self.category in INSPECTORATE_CATEGORIES

    @property
    def public_status(self) -> str:
        return public_status(self.status)

    def answer_deadline(self, calendar=None) -> datetime.date:
        """The day the answer must be published by: the answer deadline counted from receipt, or from the appeal.

        Both are stored when they are set (`answer_due`, `appeal_answer_due`), so that a later edit of the working
        calendar never moves a deadline already promised to the citizen."""
        if self.appealed_at is None:
            return self.answer_due
        if self.appeal_answer_due is not None:
            return self.appeal_answer_due
        from .workdays import WorkCalendar, deadline_days

        calendar = calendar or WorkCalendar()
        return calendar.add_working_days(timezone.localdate(self.appealed_at), deadline_days("answer"))

    @property
    def public_deadline(self) -> datetime.date | None:
        """The answer deadline the citizen is shown: the legal one, never an internal step's (publication)."""
        if self.status == Status.RECEIVED:
            return self.answer_due
        if self.public_status in (Status.ACCEPTED, Status.IN_PROGRESS):
            return self.answer_deadline()
        return None

    def get_public_status_display(self) -> str:
        return Status(self.public_status).label

    def can_be_approved_by(self, user) -> bool:
        """Whether `user` may approve (or return) this case's answer: a lead of the case's unit, provincial staff or
        an administrator."""
        return bool(
            user.is_active and (user.sees_all_units or (user.role == user.Role.LEAD and user.unit_id == self.unit_id))
        )

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.due_date is not None and self.due_date < (today or timezone.localdate())

    @property
    def can_be_rated(self) -> bool:
        return self.status == Status.ANSWERED and self.citizen_satisfied is None

    @property
    def can_be_appealed(self) -> bool:
        return self.status == Status.ANSWERED and self.citizen_satisfied is False and self.appealed_at is None


class CaseEvent(models.Model):
    """One change to a case: who, when, from which state to which, and a note. Append-only."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Gửi phản ánh")
        TRANSITION = "transition", _("Chuyển trạng thái")
        ASSIGNED = "assigned", _("Phân công")
        TRANSFERRED = "transferred", _("Chuyển đơn vị")
        NOTE = "note", _("Ghi chú nội bộ")
        INFORMATION = "information", _("Người dân bổ sung thông tin")
        RATED = "rated", _("Người dân đánh giá trả lời")
        APPEALED = "appealed", _("Đề nghị xem xét lại")
        ESCALATED = "escalated", _("Chuyển cấp tỉnh do quá hạn")
        PRIVACY = "privacy", _("Xử lý dữ liệu cá nhân")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("phản ánh"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
        help_text=_("Để trống: người dân hoặc hệ thống."),
    )
    from_status = models.CharField(_("từ trạng thái"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, choices=Status.choices)
    note = models.TextField(_("ghi chú"), blank=True)
    is_public = models.BooleanField(_("người dân xem được"), default=False)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("sự kiện xử lý")
        verbose_name_plural = _("sự kiện xử lý")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.from_status}->{self.to_status}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the citizen's file name is kept only as data, never as a path.
    return f"pakn/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{filename[filename.rfind('.') :]}"


class Attachment(models.Model):
    """A checked and re-encoded image, or a parsed PDF. Stored under MEDIA_ROOT, which is never served publicly:
    only the staff view that checks the case's scope streams it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("phản ánh"))
    file = models.FileField(_("tệp"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    content_type = models.CharField(_("kiểu nội dung"), max_length=40)
    size = models.PositiveIntegerField(_("dung lượng"))
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.original_name


class CaseContact(models.Model):
    """Contact details and consents, only when the citizen gave some; absent otherwise."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="contact", verbose_name=_("phản ánh"))
    name = models.CharField(_("họ tên"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    consent_reply = models.BooleanField(_("đồng ý nhận trả lời qua email/SMS"), default=False)
    consent_publish = models.BooleanField(_("đồng ý công khai trả lời đã ẩn danh"), default=False)
    notice_version = models.CharField(_("phiên bản thông báo"), max_length=20)
    consented_at = models.DateTimeField(_("đồng ý lúc"), default=timezone.now)

    class Meta:
        ordering = ["case"]
        verbose_name = _("thông tin liên hệ và đồng ý")
        verbose_name_plural = _("thông tin liên hệ và đồng ý")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_reply=True) | Q(consent_publish=True), name="pakn_contact_has_a_consent"
            ),
            models.CheckConstraint(
                condition=Q(consent_reply=True) | (Q(name="") & Q(email="") & Q(phone="")),
                name="pakn_contact_details_need_reply_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.notice_version})"


class CalendarDay(models.Model):
    """An exception to the working-day calendar: an extra day off, or a make-up working day (often a Saturday)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ thêm")
        WORKING_DAY = "working_day", _("Ngày làm bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("ngày nghỉ/làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class DataRequestQuerySet(models.QuerySet):
    def pending(self) -> "DataRequestQuerySet":
        return self.filter(handled_at__isnull=True)

    def overdue(self, now: datetime.datetime | None = None) -> "DataRequestQuerySet":
        return self.pending().filter(due_at__lt=now or timezone.now())


class DataRequest(models.Model):
    """A citizen's request to see or erase the contact details they gave with a case.

    Holds no personal data itself: only which case, what was asked, and how and when it was handled. Requests made
    on the website with the tracking code and the matching contact are handled at once; requests received through
    another channel (a letter, a call, at the counter) are recorded by staff and stay pending until handled, at the
    latest by `due_at`.
    """

    class Kind(models.TextChoices):
        SEE = "see", _("Xem thông tin liên hệ")
        DELETE = "delete", _("Xóa thông tin liên hệ")

    class Channel(models.TextChoices):
        WEB = "web", _("Trang web (mã tra cứu và thông tin liên hệ)")
        OFFLINE = "offline", _("Kênh khác (văn bản, điện thoại, tại quầy)")

    class Outcome(models.TextChoices):
        SHOWN = "shown", _("Đã hiển thị cho người dân")
        PROVIDED = "provided", _("Đã cung cấp cho người dân")
        ERASED = "erased", _("Đã xóa")
        NO_DATA = "no_data", _("Không còn dữ liệu")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="data_requests", verbose_name=_("phản ánh"))
    kind = models.CharField(_("yêu cầu"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    due_at = models.DateTimeField(_("hạn xử lý"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ ghi nhận"),
    )
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ xử lý"),
        help_text=_("Để trống: xử lý tự động khi người dân gửi yêu cầu trên trang web."),
    )
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("yêu cầu về dữ liệu cá nhân")
        verbose_name_plural = _("yêu cầu về dữ liệu cá nhân")
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True, outcome="") | (Q(handled_at__isnull=False) & ~Q(outcome="")),
                name="data_request_handled_has_outcome",
            ),
        ]
        indexes = [
            # The staff list shows pending requests by deadline.
            models.Index(fields=["handled_at", "due_at"], name="data_request_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()} ({self.received_at:%Y-%m-%d %H:%M})"

    @property
    def is_pending(self) -> bool:
        return self.handled_at is None

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_pending and self.due_at < (now or timezone.now())


class PurgeLog(models.Model):
    """One run of the retention purge: what it removed per data class, and the limits it applied."""

    ran_at = models.DateTimeField(_("chạy lúc"), default=timezone.now)
    trigger = models.CharField(_("khởi chạy bởi"), max_length=20)
    contacts_removed = models.PositiveIntegerField(_("thông tin liên hệ đã xóa"), default=0)
    attachments_removed = models.PositiveIntegerField(_("tệp đính kèm đã xóa"), default=0)
    rating_ip_hashes_cleared = models.PositiveIntegerField(_("mã băm IP của đánh giá đã xóa"), default=0)
    retention_days = models.JSONField(_("thời hạn lưu áp dụng (ngày)"), default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("nhật ký xóa dữ liệu")
        verbose_name_plural = _("nhật ký xóa dữ liệu")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} ({self.trigger})"

    @property
    def total_removed(self) -> int:
        return self.contacts_removed + self.attachments_removed + self.rating_ip_hashes_cleared


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime | None = None) -> "DeliveryQuerySet":
        """Messages still to be sent whose next attempt is due (the periodic resend picks them up)."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now or timezone.now())


class Delivery(models.Model):
    """One message to one citizen on one channel, kept until it is sent or has failed for good, so that nothing is
    lost silently: every attempt and its error are recorded, and staff see failures on the case page. Once the
    outcome is final the address is masked (only what staff need to recognise it stays)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Biên nhận phản ánh")
        ANSWER = "answer", _("Trả lời đã công khai")
        RATE_REQUEST = "rate_request", _("Mời đánh giá trả lời")
        TRACKING_CODE = "tracking_code", _("Gửi lại mã tra cứu")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo (ZNS)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi thất bại")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True, verbose_name=_("phản ánh")
    )
    kind = models.CharField(_("loại tin"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    body = models.TextField(_("nội dung"))
    html_body = models.TextField(_("nội dung HTML"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("tin gửi người dân")
        verbose_name_plural = _("tin gửi người dân")
        indexes = [
            # The periodic resend scans pending messages by their next attempt.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_channel_display()} ({self.get_status_display()})"
