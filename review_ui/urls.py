from django.urls import path

from review_ui import api, preview, views

app_name = "review_ui"
urlpatterns = [
    path("", views.work_list, name="work_list"),
    path("work/", views.work_page, name="work"),
    path("history/", views.history_page, name="history"),
    path("shortcuts/", views.shortcuts_page, name="shortcuts"),
    path("tasks/<int:task_id>/frame", views.task_frame, name="task_frame"),
    path("tasks/<int:task_id>/release", views.release, name="release"),
    path("objects/<str:token>/<path:filename>", views.stored_object, name="object"),
    path("preview/", preview.preview_page, name="preview"),
    path("preview/frame", preview.preview_frame, name="preview_frame"),
    path("preview/render", preview.preview_render, name="preview_render"),
    path("api/tasks/next", api.next_task, name="api_next"),
    path("api/tasks/<int:task_id>/submit", api.submit, name="api_submit"),
    path("api/tasks/<int:task_id>/release", api.release, name="api_release"),
    path("api/tasks/ahead", api.claim_ahead, name="api_ahead"),
    path("api/tasks/<int:task_id>/show", api.show, name="api_show"),
]
