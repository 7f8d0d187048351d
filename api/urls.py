"""Version 1 of the API, mounted at /api/v1/ (the schema and the docs are at /api/schema/ and /api/docs/).

To add a domain: a viewset in api/views/<domain>.py, registered here; then one line in the permission matrix
(tests/api/test_permissions.py) and it is covered by the schema test automatically.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import auth, feedback, imports, indices, ratings, reports, survey

app_name = "api"

router = SimpleRouter()
router.register("unit-groups", survey.UnitGroupViewSet, basename="unit-group")
router.register("units", survey.UnitViewSet, basename="unit")
router.register("counters", survey.CounterViewSet, basename="counter")
router.register("questionnaires", survey.QuestionnaireViewSet, basename="questionnaire")
router.register("ratings", ratings.RatingViewSet, basename="rating")
router.register("feedback", feedback.CaseViewSet, basename="case")
router.register("indices", indices.IndexSnapshotViewSet, basename="index-snapshot")
router.register("indices-by-channel", imports.ChannelSnapshotViewSet, basename="channel-snapshot")
router.register("rating-imports", imports.RatingImportViewSet, basename="rating-import")
router.register("cchc-scores", reports.CchcScoreViewSet, basename="cchc-score")
router.register("auth/tokens", auth.TokenViewSet, basename="auth-token-item")

urlpatterns = [
    path("auth/token/", auth.ObtainTokenView.as_view(), name="auth-token"),
    path("dossier-links/", ratings.DossierLinkCreateView.as_view(), name="dossier-link-create"),
    path("dossier-stats/", indices.DossierStatsView.as_view(), name="dossier-stats-create"),
    path("reports/province/", reports.ProvinceReportView.as_view(), name="province-report"),
    *router.urls,
]
