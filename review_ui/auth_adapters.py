"""django-allauth adapters: sign-up is invite-only unless HITL_OPEN_SIGNUP is set."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.HITL_OPEN_SIGNUP
