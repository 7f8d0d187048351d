from django.urls import path

from . import privacy_views, views

app_name = "feedback"

urlpatterns = [
    # Citizens
    path("gui/", views.case_create, name="case-create"),
    path("tra-cuu/", views.case_lookup, name="case-lookup"),
    path("gui-lai-ma/", views.case_code_request, name="case-code-request"),
    path("tra-cuu/<str:code>/", views.case_track, name="case-track"),
    path("tra-cuu/<str:code>/danh-gia/", views.case_rate, name="case-rate"),
    path("tra-cuu/<str:code>/xem-xet-lai/", views.case_appeal, name="case-appeal"),
    path("tra-cuu/<str:code>/bo-sung/", views.case_inform, name="case-inform"),
    path("du-lieu-ca-nhan/", privacy_views.data_request_create, name="data-request-create"),
    # Staff
    path("hop-thu/", views.case_list, name="case-list"),
    path("tong-hop/", views.case_overview, name="case-overview"),
    path("ho-so/<int:pk>/", views.case_detail, name="case-detail"),
    path("ho-so/<int:pk>/nhat-ky/", views.case_events, name="case-events"),
    path("ho-so/<int:pk>/trang-thai/", views.case_transition, name="case-transition"),
    path("ho-so/<int:pk>/tra-loi/", views.case_answer, name="case-answer"),
    path("ho-so/<int:pk>/phe-duyet/", views.case_approve, name="case-approve"),
    path("ho-so/<int:pk>/tra-lai/", views.case_return, name="case-return"),
    path("ho-so/<int:pk>/cong-bo/", views.case_publish, name="case-publish"),
    path("ho-so/<int:pk>/ghi-chu/", views.case_note, name="case-note"),
    path("ho-so/<int:pk>/phan-cong/", views.case_assign, name="case-assign"),
    path("ho-so/<int:pk>/chuyen-don-vi/", views.case_transfer, name="case-transfer"),
    path("tep/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("yeu-cau-du-lieu/", privacy_views.data_request_list, name="data-request-list"),
    path("yeu-cau-du-lieu/ghi-nhan/", privacy_views.data_request_record, name="data-request-record"),
    path("yeu-cau-du-lieu/<int:pk>/xu-ly/", privacy_views.data_request_complete, name="data-request-complete"),
]
