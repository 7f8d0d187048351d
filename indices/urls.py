from django.urls import path

from . import views

app_name = "indices"

# --- agency dashboard (issue 6) ---
urlpatterns = [
    path("", views.dashboard_home, name="dashboard-home"),
    path("don-vi/<int:unit_id>/", views.unit_dashboard, name="unit-dashboard"),
    path("don-vi/<int:unit_id>/xuat/<slug:table>.<str:fmt>", views.table_export, name="table-export"),
]
# --- end of agency dashboard ---
