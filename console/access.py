"""Who may open the console, and the one place its pages scope rows to the admin's accounts.

A console user is someone who administers at least one account (`Account.admins`) or a superuser
(workforce.roles.administered_accounts). Everyone else gets a sign-in redirect (anonymous) or a
403 page; a row of another account is a 404, the same answer as a row that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workforce import roles
from workforce.models import Account


def accounts(request: HttpRequest) -> QuerySet[Account]:
    """Return the accounts the signed-in user administers (all, for a superuser)."""
    return roles.administered_accounts(request.user)


def scoped(queryset: QuerySet, request: HttpRequest, account_path: str = "account") -> QuerySet:
    """Return `queryset` limited to the signed-in admin's accounts (see workforce.roles.scope_to_accounts)."""
    return roles.scope_to_accounts(queryset, request.user, account_path)


def console_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let only account admins (and superusers) in: anonymous users sign in first, others get a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not accounts(request).exists():
            return render(request, "console/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
