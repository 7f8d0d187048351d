"""URLs of the reporting module, included at /bao-cao/."""

from django.urls import path

from . import import_views
from . import report_views as views

app_name = "reports"

urlpatterns = [
    path("", views.report_show, name="report-show"),
    path("xuat/", views.export_create, name="export-create"),
    path("xuat/<int:pk>/", views.export_show, name="export-show"),
    path("xuat/<int:pk>/tai-ve/", views.export_download, name="export-download"),
    path("cau-hinh/", views.scheme_edit, name="scheme-edit"),
    path("cchc/", views.cchc_list, name="cchc-list"),
    path("cchc/nhap-diem/", views.cchc_edit, name="cchc-edit"),
    path("cchc/nhap-tep/", views.cchc_import, name="cchc-import"),
    path("cchc/mau.xlsx", views.cchc_template, name="cchc-template"),
    path("nhap-phieu/", import_views.import_list, name="import-list"),
    path("nhap-phieu/mau.xlsx", import_views.import_template, name="import-template"),
    path("nhap-phieu/<int:pk>/", import_views.import_show, name="import-show"),
    path("nhap-phieu/<int:pk>/trang-thai/", import_views.import_status, name="import-status"),
    path("nhap-phieu/<int:pk>/nhap/", import_views.import_confirm, name="import-confirm"),
    path("nhap-phieu/<int:pk>/huy/", import_views.import_roll_back, name="import-roll-back"),
]
