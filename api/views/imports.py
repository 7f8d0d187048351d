"""Rating imports (provincial staff) and the figures per channel (scoped like the other figures)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from indices import rating_imports
from indices.models import ChannelSnapshot
from indices.selectors import channel_snapshots_visible_to
from survey.integrity import client_ip
from survey.models import RatingImport

from ..filters import ChannelSnapshotFilter
from ..permissions import IsProvincialStaff, IsUnitStaffOrProvincial
from ..serializers.imports import ChannelSnapshotSerializer, RatingImportInputSerializer, RatingImportSerializer

IMPORT_FLOW = (
    "Provincial staff only. Uploading a file stages it and checks it in the background (a dry run: nothing is "
    "imported); follow `status` (`checking`, then `checked` or `invalid` with every error by row and column). "
    "`confirm` imports a checked batch all or nothing in the background (`importing`, `refreshing` while the "
    "figures of the periods it touches are recomputed, then `done`); `roll-back` deletes a done batch's ratings "
    "(audited). The same file (by its SHA-256) is refused while a batch of it is live."
)


@extend_schema_view(
    list=extend_schema(summary="List rating imports", description=IMPORT_FLOW),
    retrieve=extend_schema(summary="A rating import, with its progress, summary and errors", description=IMPORT_FLOW),
)
class RatingImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = RatingImportSerializer
    permission_classes = [IsProvincialStaff]
    parser_classes = [MultiPartParser, FormParser]
    queryset = RatingImport.objects.none()

    def get_queryset(self):
        if not (self.request.user.is_authenticated and self.request.user.sees_all_units):
            return RatingImport.objects.none()
        return RatingImport.objects.select_related("created_by", "rolled_back_by").order_by("-created_at", "-pk")

    @extend_schema(
        summary="Upload a respondent file (checked in the background, not imported yet)",
        description=IMPORT_FLOW,
        request={"multipart/form-data": RatingImportInputSerializer},
        responses={201: RatingImportSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = RatingImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            batch = rating_imports.request_rating_import(
                content=upload.read(),
                file_name=upload.name,
                channel=serializer.validated_data["channel"],
                by=request.user,
            )
        except rating_imports.ImportRefused as refused:
            raise ValidationError({"file": [refused.message]}) from None
        return Response(RatingImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Import a checked batch", request=None, responses={202: RatingImportSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        try:
            batch = rating_imports.confirm_rating_import(batch=self.get_object(), by=request.user)
        except rating_imports.ImportRefused as refused:
            raise ValidationError({"status": [refused.message]}) from None
        return Response(RatingImportSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Roll an imported batch back", request=None, responses={202: RatingImportSerializer})
    @action(detail=True, methods=["post"], url_path="roll-back")
    def roll_back(self, request, pk=None):
        try:
            batch = rating_imports.roll_back_rating_import(
                batch=self.get_object(), by=request.user, ip_address=client_ip(request)
            )
        except rating_imports.ImportRefused as refused:
            raise ValidationError({"status": [refused.message]}) from None
        return Response(RatingImportSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="List stored figures per channel",
        description="The figures of units, groups and the province counting only some channels (`channels`: "
        "`qr`, `web` (dossier link), `kiosk`, `api`, `survey`, `import`, or `api+kiosk+qr+web` for the continuous "
        "feedback together); the same figures over all channels are in `indices/`. Scoped as `indices/`: unit "
        "staff read their own unit's figures and every group and province figure.",
    ),
    retrieve=extend_schema(summary="A stored figure per channel"),
)
class ChannelSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChannelSnapshotSerializer
    permission_classes = [IsUnitStaffOrProvincial]
    filterset_class = ChannelSnapshotFilter
    queryset = ChannelSnapshot.objects.none()

    def get_queryset(self):
        return channel_snapshots_visible_to(self.request.user).order_by(
            "level", "entity_id", "period_start", "period_end", "channels", "index", "pk"
        )
