"""PAKN (citizen feedback): the citizen's submission and tracking, and the staff inbox with its workflow.

Every write calls one `feedback.services` function; lookups are scoped with `Case.objects.for_user`, so another
unit's case answers 404. A move that the case's state does not allow answers 409; one that the caller's role does
not allow (an officer approving an answer) 403 with the reason. A tracking code that does not exist, whatever its
shape, answers the same 404.
"""

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from feedback import services
from feedback.models import Case, Status
from survey.models import Counter, Rating, Unit, User

from ..errors import Conflict
from ..filters import ApiCaseFilter
from ..permissions import IsCaseStaff, PublicActionsMixin
from ..serializers.common import ErrorSerializer
from ..serializers.feedback import (
    AnswerSerializer,
    ApproveSerializer,
    AssignSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseTrackSerializer,
    InternalNoteSerializer,
    OptionalNoteSerializer,
    RequiredNoteSerializer,
    ReturnAnswerSerializer,
    TransferSerializer,
)

STAFF_SCOPED = (
    "Staff only: unit staff (officers, unit leads) act on their own unit's cases; provincial staff and "
    "administrators on every unit's. Another unit's case answers 404."
)
ACTION = (
    STAFF_SCOPED + " Answers the case as it is after the change. A move that the case's state does not allow "
    "answers 409 and changes nothing."
)
CONFLICT = OpenApiResponse(ErrorSerializer, description="Not allowed from the case's current state (or rules).")
APPROVERS_ONLY = OpenApiResponse(
    ErrorSerializer, description="The caller is not a lead of the case's unit, provincial staff or an administrator."
)
APPROVAL = (
    " Only a lead of the case's unit, provincial staff or an administrator may do this; an officer of the unit "
    "answers 403."
)
NOT_FOUND_CODE = _("Không tìm thấy phản ánh với mã tra cứu này.")


def _optional_idempotency_key(request) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError({"Idempotency-Key": [_("Khóa chống trùng phải là một UUID.")]}) from None


def _normalised_code(code: str) -> str:
    return "".join(code.split()).lower()


def _workflow(summary: str, request, description: str = ACTION, approvers_only: bool = False):
    responses = {200: CaseDetailSerializer, 409: CONFLICT}
    if approvers_only:
        responses[403] = APPROVERS_ONLY
    return extend_schema(summary=summary, description=description, request=request, responses=responses)


@extend_schema_view(
    list=extend_schema(
        summary="List cases (the inbox)",
        description=STAFF_SCOPED + " Every state is listed unless `status` narrows it; the filters are the inbox's. "
        "Ordered by the deadline that applies now (none last), then by arrival.",
    ),
    retrieve=extend_schema(
        summary="A case",
        description=STAFF_SCOPED + " With the contact details the citizen consented to give, the attachments and "
        "the whole event log (internal notes included).",
    ),
)
class CaseViewSet(PublicActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    public_actions = {"create": "feedback", "track": "feedback-track"}
    staff_permission = IsCaseStaff
    serializer_class = CaseSerializer
    filterset_class = ApiCaseFilter
    parser_classes = [JSONParser, MultiPartParser]
    queryset = Case.objects.none()  # For the schema generator; rows come from get_queryset().

    def get_queryset(self):
        cases = Case.objects.for_user(self.request.user).select_related("assigned_to")
        if self.action == "list":
            return cases.order_by(F("due_date").asc(nulls_last=True), "created_at", "pk")
        return cases.select_related("approved_by").prefetch_related("attachments", "events__actor", "deliveries")

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def _perform(self, perform) -> Response:
        case = self.get_object()
        try:
            case = perform(case)
        except services.TransitionError as error:
            raise Conflict(error.message) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error) or None) from None
        # A transfer can take the case out of the caller's scope: answer with what it became all the same.
        fresh = Case.objects.select_related("assigned_to", "approved_by").prefetch_related(
            "attachments", "events__actor", "deliveries"
        )
        return Response(CaseDetailSerializer(fresh.get(pk=case.pk)).data)

    # Citizens ---------------------------------------------------------------------------------------------------

    @extend_schema(
        summary="File a case (PAKN)",
        description=(
            "Public: no credentials; throttled per address (scope `feedback`); a browser post from another site is "
            "refused (403). JSON, or `multipart/form-data` to attach up to 3 images or PDFs (5 MB each; images "
            "are re-encoded, which drops their metadata). Contact details are stored only with `consent_reply`; "
            "the citizen who gives an email or a phone number then gets a receipt with the tracking link at once "
            "(email, SMS, Zalo as configured). Return the `tracking_code` to the citizen: it opens the case. "
            "**Idempotency**: send an `Idempotency-Key` header (a UUID made once per case, sent again on every "
            "retry): a key already used answers 200 with the case it filed, and files nothing. A likely duplicate "
            "(same contact, same unit, similar text within a day) is filed and linked to the earlier case for the "
            "officer. An unknown or closed unit, "
            "counter or rating answers 404; a counter of another unit 409. Rules across fields (400): contact "
            "details need `consent_reply`, and `consent_reply` needs an email or a phone number."
        ),
        request={"application/json": CaseCreateSerializer, "multipart/form-data": CaseCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                required=False,
                description="A UUID made once per case: a retry with the same key returns the first case (200).",
            )
        ],
        responses={201: CaseCreatedSerializer, 200: CaseCreatedSerializer},
        examples=[
            OpenApiExample(
                "Request",
                value={
                    "unit": 12,
                    "category": "late_result",
                    "text": "Hẹn trả kết quả ngày 10/6 nhưng đến 14/6 vẫn chưa có.",
                    "email": "nguoidan@example.vn",
                    "consent_reply": True,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Response",
                value={
                    "tracking_code": "k7m2x9q4pa3r8s5t",
                    "tracking_url": "https://hailong.example.gov.vn/pakn/tra-cuu/k7m2x9q4pa3r8s5t/",
                    "unit": 12,
                    "category": "late_result",
                    "status": "received",
                    "answer_due": "2025-07-22",
                    "created_at": "2025-07-01T10:02:11+07:00",
                },
                response_only=True,
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        key = _optional_idempotency_key(request)
        if key is not None and (first := Case.objects.filter(idempotency_key=key).first()) is not None:
            return Response(CaseCreatedSerializer(first).data, status=status.HTTP_200_OK)
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counter = rating = None
        if data.get("counter"):
            counter = (
                Counter.objects.select_related("unit")
                .filter(code=data["counter"], is_active=True, unit__in=Unit.objects.active())
                .first()
            )
            if counter is None:
                raise NotFound(_("Không có quầy đang hoạt động với mã này."))
        unit = Unit.objects.active().filter(pk=data["unit"]).first()
        if unit is None:
            raise NotFound(_("Không có đơn vị đang hoạt động với mã số này."))
        if data.get("rating"):
            rating = Rating.objects.filter(idempotency_key=data["rating"], counter=counter).first()
            if rating is None:
                raise NotFound(_("Không tìm thấy lượt đánh giá này tại quầy đã gửi."))
        started = timezone.now()
        try:
            case = services.submit_case(
                unit=unit,
                category=data["category"],
                text=data["text"],
                counter=counter,
                rating=rating,
                files=data.get("files", []),
                contact=services.ContactInput(
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    phone=data.get("phone", ""),
                    consent_reply=data["consent_reply"],
                    consent_publish=data["consent_publish"],
                ),
                idempotency_key=key,
            )
        except services.TransitionError as error:
            raise Conflict(error.message) from None
        fresh = case.created_at >= started
        return Response(
            CaseCreatedSerializer(case).data, status=status.HTTP_201_CREATED if fresh else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Track a case by its code",
        description=(
            "Public: no credentials; throttled per address (scope `feedback-track`). What the citizen's tracking "
            "page shows: status, deadline, the public answer and the public history; never internal notes, staff "
            "names or contact details. Any code that is not a case's, whatever its shape, answers the same 404."
        ),
        responses={200: CaseTrackSerializer, 404: OpenApiResponse(ErrorSerializer, description="No such code.")},
    )
    @action(detail=False, url_path=r"track/(?P<code>[^/]+)", url_name="track")
    def track(self, request, code: str):
        code = _normalised_code(code)
        case = None
        if 0 < len(code) <= 64:
            case = Case.objects.select_related("unit").filter(tracking_code=code).first()
        if case is None:
            raise NotFound(NOT_FOUND_CODE)
        response = Response(CaseTrackSerializer(case).data)
        response["Cache-Control"] = "private, no-store"
        return response

    # Staff workflow ---------------------------------------------------------------------------------------------

    def _transition(self, to: str, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data.get("note", "")
        return self._perform(
            lambda case: services.change_case_status(case=case, by=self.request.user, to=to, note=note)
        )

    @_workflow("Accept a case (thụ lý)", OptionalNoteSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def accept(self, request, pk=None):
        return self._transition(Status.ACCEPTED, OptionalNoteSerializer)

    @_workflow("Reject a case, with the reason (shown to the citizen)", RequiredNoteSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def reject(self, request, pk=None):
        return self._transition(Status.REJECTED, RequiredNoteSerializer)

    @_workflow("Ask the citizen for more information", RequiredNoteSerializer)
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser],
        url_path="request-information",
        url_name="request-information",
    )
    def request_information(self, request, pk=None):
        return self._transition(Status.NEEDS_INFORMATION, RequiredNoteSerializer)

    @_workflow("Start work on a case (in progress; needed before answering)", OptionalNoteSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def start(self, request, pk=None):
        return self._transition(Status.IN_PROGRESS, OptionalNoteSerializer)

    @_workflow("Close an answered case", OptionalNoteSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def close(self, request, pk=None):
        return self._transition(Status.CLOSED, OptionalNoteSerializer)

    @_workflow(
        "Answer a case in progress (a draft for approval, or published at once)",
        AnswerSerializer,
        ACTION + " While answers need approval (the default), an officer's answer becomes a draft: the case awaits "
        "approval (`awaiting_approval`), nothing is shown to the citizen and the unit's leads are emailed. An answer "
        "by a lead of the unit, provincial staff or an administrator is published on the tracking page at once "
        "(`answered`), and emailed to the citizen if they consented.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def answer(self, request, pk=None):
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data["text"]
        return self._perform(lambda case: services.answer_case(case=case, by=request.user, text=text))

    @_workflow(
        "Approve a drafted answer (optionally edited)",
        ApproveSerializer,
        ACTION + APPROVAL + " The case is then `approved` and must be published within the publication deadline "
        "(`due_date`, 2 working days by default); `text` replaces the draft when given.",
        approvers_only=True,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def approve(self, request, pk=None):
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data.get("text")
        return self._perform(lambda case: services.approve_answer(case=case, by=request.user, text=text))

    @_workflow(
        "Return a drafted or approved answer for revision, with the reason",
        ReturnAnswerSerializer,
        ACTION + APPROVAL + " The case is in progress again, due by its answer deadline; the reason is internal.",
        approvers_only=True,
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser],
        url_path="return-answer",
        url_name="return-answer",
    )
    def return_answer(self, request, pk=None):
        serializer = ReturnAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]
        return self._perform(lambda case: services.return_answer(case=case, by=request.user, note=note))

    @_workflow(
        "Publish an approved answer on the tracking page",
        None,
        ACTION + " Any staff of the unit may publish; the citizen is emailed the answer if they consented.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def publish(self, request, pk=None):
        return self._perform(lambda case: services.publish_answer(case=case, by=request.user))

    @_workflow(
        "Assign a case to an officer of its unit",
        AssignSerializer,
        ACTION + " An unknown officer id answers 404; an officer of another unit 409.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def assign(self, request, pk=None):
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        officer = User.objects.filter(pk=serializer.validated_data["officer"]).first()
        if officer is None:
            raise NotFound(_("Không tìm thấy cán bộ."))
        return self._perform(lambda case: services.assign_case(case=case, by=request.user, officer=officer))

    @_workflow(
        "Transfer a case to another unit, with the reason",
        TransferSerializer,
        ACTION + " The case is received afresh by the other unit (its deadlines restart); an unknown unit id "
        "answers 404, the same or a closed unit 409.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def transfer(self, request, pk=None):
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = get_object_or_404(Unit, pk=serializer.validated_data["unit"])
        reason = serializer.validated_data["reason"]
        return self._perform(lambda case: services.transfer_case(case=case, by=request.user, unit=unit, reason=reason))

    @_workflow("Add an internal note (never shown to the citizen)", InternalNoteSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def note(self, request, pk=None):
        serializer = InternalNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]

        def perform(case):
            services.add_internal_note(case=case, by=request.user, note=note)
            return case

        return self._perform(perform)
