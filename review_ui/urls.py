from django.urls import path

from review_ui import views

app_name = "review_ui"
urlpatterns = [
    path("", views.work_list, name="work_list"),
]
