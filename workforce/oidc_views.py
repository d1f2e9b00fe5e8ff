"""Sign-in pages for workforce identity providers: allauth's views with what a browser needs around them.

* The portal's Content-Security-Policy has `form-action 'self'`, and browsers apply it to where a
  submitted form's redirects lead. A sign-in form posts to hitl, whose answer redirects to the
  identity provider's authorization endpoint, so the pages showing such forms (the sign-in page and
  allauth's "Continue" page) also allow those endpoints' origins, and only them.
* The OpenID Connect login and callback run `WorkforceOidcAdapter` (token endpoint authentication
  as the provider's discovery document says) instead of allauth's own adapter.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.views import login as allauth_login
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest, HttpResponse

from workforce.oidc import PROVIDER, WorkforceOidcAdapter, authorization_endpoint


def _allow_forms_to(request: HttpRequest, apps: list[SocialApp]) -> None:
    # Read by hitl.kernel.middleware when it writes the page's Content-Security-Policy.
    request.csp_form_action = [authorization_endpoint(app) for app in apps]


def sign_in(request: HttpRequest) -> HttpResponse:
    """Show allauth's sign-in page, whose single sign-on buttons post to every workforce's provider."""
    _allow_forms_to(request, get_adapter().list_apps(request, provider=PROVIDER))  # the apps the page lists
    return allauth_login(request)


def _adapter_view(view_class: type, request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view: Callable[[HttpRequest], HttpResponse] = view_class.adapter_view(
            WorkforceOidcAdapter(request, provider_id)
        )
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Start a sign-in with one provider (GET shows allauth's "Continue" form, POST redirects to it)."""
    _allow_forms_to(request, list(SocialApp.objects.filter(provider=PROVIDER, provider_id=provider_id)))
    return _adapter_view(OAuth2LoginView, request, provider_id)


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Finish a sign-in: exchange the code and sign the reviewer in."""
    return _adapter_view(OAuth2CallbackView, request, provider_id)
