"""URLs of the submission benchmark: the product's, then two throwaway references (bench/settings.py).

- `/bench/drf-ratings/`: what a first, plain DRF endpoint for ratings would be;
- `/bench/plain-ratings/`: the framework's own floor, a plain Django view (JSON in, one ORM insert, JSON out).
"""

import json
import uuid

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from config.urls import urlpatterns as product_urlpatterns
from survey.models import Rating


class BaselineRatingSerializer(serializers.ModelSerializer):
    """What a first, plain DRF endpoint for ratings would be: every column from the client, validated by DRF."""

    class Meta:
        model = Rating
        fields = ["idempotency_key", "counter", "unit", "questionnaire", "score", "channel"]


class BaselineRatingCreate(generics.CreateAPIView):
    """A plain `CreateAPIView`: no integrity layer, no throttle, no authentication."""

    serializer_class = BaselineRatingSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []


@csrf_exempt
@require_POST
def plain_rating_create(request: HttpRequest) -> JsonResponse:
    """The floor: the same row as the DRF baseline, with no validation beyond what the database does."""
    data = json.loads(request.body)
    rating = Rating.objects.create(
        idempotency_key=uuid.UUID(data["idempotency_key"]),
        counter_id=data["counter"],
        unit_id=data["unit"],
        questionnaire_id=data["questionnaire"],
        score=data["score"],
        channel=data["channel"],
    )
    return JsonResponse({"id": rating.pk, "idempotency_key": str(rating.idempotency_key)}, status=201)


urlpatterns = [
    *product_urlpatterns,
    path("bench/drf-ratings/", BaselineRatingCreate.as_view()),
    path("bench/plain-ratings/", plain_rating_create),
]
