from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("open/<str:token>", views.open_task_link, name="open"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("settings/", views.settings_page, name="settings"),
    path("slack/<int:channel_id>/actions", views.slack_actions, name="slack_actions"),
]
