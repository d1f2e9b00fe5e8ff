from django.urls import path

from review_ui import ops_views

app_name = "ops"
urlpatterns = [
    path("teams/", ops_views.team_list, name="team_list"),
    path("teams/<int:team_id>/", ops_views.team_queue, name="team_queue"),
    path("dashboard/", ops_views.dashboard, name="dashboard"),
]
