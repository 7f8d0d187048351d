"""URLs of the survey app: the citizen flow at short paths, staff counter pages under /quay/."""

from django.urls import include, path

from . import views

app_name = "survey"

urlpatterns = [
    # Citizen flow. /r/<code> is what the QR codes carry: keep it short and without a trailing slash.
    path("r/d/<slug:token>", views.rate_dossier, name="rate-dossier"),
    path("r/s/<uuid:key>/", views.rating_answer, name="rating-answer"),
    path("r/s/<uuid:key>/cam-on/", views.rating_thanks, name="rating-thanks"),
    path("r/<slug:code>", views.rate, name="rate"),
    path("kiosk/<slug:token>/", views.kiosk, name="kiosk"),
    path("kiosk/<slug:token>/s/<uuid:key>/", views.rating_answer, name="kiosk-answer"),
    path("kiosk/<slug:token>/s/<uuid:key>/cam-on/", views.rating_thanks, name="kiosk-thanks"),
    # Staff: counters, QR codes and posters.
    path("quay/", views.counter_list, name="counter-list"),
    path("quay/don-vi/<int:unit_id>/", views.unit_counters, name="unit-counters"),
    path("quay/don-vi/<int:unit_id>/gop-y/", views.unit_comments, name="unit-comments"),
    path("quay/don-vi/<int:unit_id>/in-ap-phich/", views.poster_batch_create, name="poster-batch-create"),
    path("quay/in-ap-phich/<int:pk>/", views.poster_batch_detail, name="poster-batch-detail"),
    path("quay/in-ap-phich/<int:pk>/trang-thai/", views.poster_batch_status, name="poster-batch-status"),
    path("quay/in-ap-phich/<int:pk>/tai-ve/", views.poster_batch_download, name="poster-batch-download"),
    path("quay/<int:pk>/qr.png", views.counter_qr_png, name="counter-qr-png"),
    path("quay/<int:pk>/qr.svg", views.counter_qr_svg, name="counter-qr-svg"),
    path("quay/<int:pk>/ap-phich.pdf", views.counter_poster, name="counter-poster"),
    path("quay/<int:pk>/doi-ma/", views.counter_rotate, name="counter-rotate"),
    path("quay/<int:pk>/may-tinh-bang/", views.kiosk_token_create, name="kiosk-token-create"),
    path("quay/may-tinh-bang/<int:pk>/thu-hoi/", views.kiosk_token_revoke, name="kiosk-token-revoke"),
    path("quay/<int:pk>/lien-ket-ho-so/", views.dossier_link_create, name="dossier-link-create"),
    # Rating integrity review (issue 4), kept in its own module.
    path("", include("survey.quarantine_urls")),
]
