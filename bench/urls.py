"""URLs of the submission benchmark: the product's, then the throwaway DRF baseline (bench/settings.py)."""

from django.urls import path
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


urlpatterns = [*product_urlpatterns, path("bench/drf-ratings/", BaselineRatingCreate.as_view())]
