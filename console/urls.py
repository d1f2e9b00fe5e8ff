"""The console's URLs, mounted at /console/. Each page's name is its nav entry (console.nav)."""

from django.urls import path

from console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    # Import, Export, Charts (helper "data"): add `path("import/", ..., name="import")`, `name="export"`,
    # `name="charts"` here and the nav shows them.
]
