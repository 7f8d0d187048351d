"""Review of quarantined ratings (provincial staff) and a unit's integrity history. Included by survey/urls.py,
so the names live in the `survey` namespace (`survey:quarantine-list`...)."""

from django.urls import path

from . import quarantine_views

urlpatterns = [
    path("kiem-duyet/", quarantine_views.quarantine_list, name="quarantine-list"),
    path("kiem-duyet/xac-nhan/", quarantine_views.quarantine_confirm, name="quarantine-confirm"),
    path("kiem-duyet/quyet-dinh/", quarantine_views.quarantine_decide, name="quarantine-decide"),
    path("don-vi/<slug:unit_code>/lich-su/", quarantine_views.unit_integrity_history, name="unit-integrity-history"),
]
