"""URL map: portal and admin by path; everything else under HITL_API_PREFIX is the AWS API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from console import front_door
from flows import views as flows_views
from hitl.aws import views as aws_views
from hitl.kernel import health, metrics
from workforce import oidc_views

# The admin's "View site" link goes to the console (portal, console and admin link to each other).
admin.site.site_url = "/console/"
admin.site.site_header = "hitl administration"
admin.site.site_title = "hitl admin"
admin.site.index_title = "Accounts, flows and reviewers"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before allauth's own: the sign-in pages with the form-action their SSO forms need, and its
    # OpenID Connect views with the workforce adapter (workforce/oidc_views.py says why).
    path("accounts/login/", oidc_views.sign_in),
    path("accounts/oidc/<str:provider_id>/login/", oidc_views.oidc_login),
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc_views.oidc_callback),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("review_ui.urls")),
    path("console/", include("console.urls")),
    path("ops/", include("review_ui.ops_urls")),
    path("notifications/", include("notifications.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # The inference adapters' operations (inference_adapters.api), through the one AWS entry point.
    path("adapters/<path:path>", aws_views.adapter_entry, name="adapter-entry"),
    path("api-assets/human-task-uis/<str:token>", flows_views.human_task_ui_template, name="human-task-ui-template"),
]

_prefix = settings.HITL_API_PREFIX.strip("/")
if _prefix:
    urlpatterns.append(path("", front_door.landing, name="landing"))
_api_root = f"^{_prefix}/?$" if _prefix else r"^$"
_api_loops = f"^{_prefix}/human-loops(?:/(?P<rest>.*))?$" if _prefix else r"^human-loops(?:/(?P<rest>.*))?$"
urlpatterns += [
    # With the API at `/` (no prefix), a browser opening the address gets the landing page (console.front_door).
    re_path(_api_root, front_door.root if not _prefix else aws_views.api_entry),
    re_path(_api_loops, aws_views.api_entry),
]
