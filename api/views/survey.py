"""The organisation tree, counters and questionnaires (read-only).

Groups, units and questionnaires are public reference data (the citizen portal shows them); counters are staff
data, scoped to the caller's unit, because their public codes are printed only at the desks.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from survey.models import Counter, Questionnaire, Unit, UnitGroup

from ..filters import CounterFilter, QuestionnaireFilter, UnitFilter
from ..permissions import IsUnitStaffOrProvincial, UnitScopedMixin
from ..serializers.survey import CounterSerializer, QuestionnaireSerializer, UnitGroupSerializer, UnitSerializer

PUBLIC = "Public: no authentication needed (anonymous callers are throttled per address)."
STAFF_SCOPED = (
    "Staff only: unit staff (officers, unit leads) see their own unit's rows; provincial staff and administrators "
    "see every unit. Another unit's row answers 404."
)


@extend_schema_view(
    list=extend_schema(summary="List unit groups", description=PUBLIC),
    retrieve=extend_schema(summary="A unit group", description=PUBLIC),
)
class UnitGroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = UnitGroup.objects.all()
    serializer_class = UnitGroupSerializer
    permission_classes = [AllowAny]


@extend_schema_view(
    list=extend_schema(
        summary="List units",
        description=PUBLIC + " Units are effective-dated: `active_on` keeps those in force on a date; a merged "
        "unit lists its successors.",
    ),
    retrieve=extend_schema(summary="A unit", description=PUBLIC),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.select_related("group").prefetch_related("successors")
    serializer_class = UnitSerializer
    permission_classes = [AllowAny]
    filterset_class = UnitFilter


@extend_schema_view(
    list=extend_schema(summary="List counters", description=STAFF_SCOPED),
    retrieve=extend_schema(summary="A counter", description=STAFF_SCOPED),
)
class CounterViewSet(UnitScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CounterSerializer
    permission_classes = [IsUnitStaffOrProvincial]
    filterset_class = CounterFilter
    queryset = Counter.objects.none()  # For the schema generator; rows come from get_queryset().

    def base_queryset(self):
        return Counter.objects.select_related("unit").prefetch_related("fields")


@extend_schema_view(
    list=extend_schema(
        summary="List questionnaires",
        description=PUBLIC + " Each version of a questionnaire family is listed with its items; `is_current` "
        "marks the version in use.",
    ),
    retrieve=extend_schema(summary="A questionnaire with its items", description=PUBLIC),
)
class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Questionnaire.objects.prefetch_related("items")
    serializer_class = QuestionnaireSerializer
    permission_classes = [AllowAny]
    filterset_class = QuestionnaireFilter
