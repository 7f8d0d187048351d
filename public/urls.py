"""Public results (no login) under /ket-qua/, and the results posters beside the counters' pages under /quay/."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("ket-qua/", views.province, name="province"),
    path("ket-qua/ket-qua.csv", views.province_csv, name="province-csv"),
    path("ket-qua/phuong-phap/", views.method, name="method"),
    path("ket-qua/tra-loi/", views.answers, name="answers"),
    path("ket-qua/don-vi/<int:unit_id>/", views.unit, name="unit"),
    path("ket-qua/don-vi/<int:unit_id>/ket-qua.csv", views.unit_csv, name="unit-csv"),
    # Staff: monthly results posters, linked from a unit's counters page.
    path("quay/don-vi/<int:unit_id>/ap-phich-ket-qua.pdf", views.unit_results_poster, name="unit-results-poster"),
    path("quay/<int:pk>/ap-phich-ket-qua.pdf", views.counter_results_poster, name="counter-results-poster"),
]
