"""URLs of the reporting module, included at /bao-cao/."""

from django.urls import path

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
]
