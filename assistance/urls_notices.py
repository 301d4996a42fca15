"""Pages of the assistance app: 公示 (public notices), their objections, the standing list."""

from django.urls import path

from assistance.views import notices

urlpatterns: list = [
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/publish/", notices.notice_publish, name="notice_publish"),
    path("notices/standing/", notices.standing_list, name="standing_list"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/print/", notices.notice_print, name="notice_print"),
    path("notices/entries/<int:entry_pk>/objections/", notices.objection_record, name="objection_record"),
    path("notices/objections/<int:pk>/decide/", notices.objection_decide, name="objection_decide"),
]
