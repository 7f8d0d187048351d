from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Tổ chức và đánh giá")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the deployment checks)
