"""Serve the hitl MCP server over stdio for a local MCP client (Claude Desktop, an IDE, an agent runtime).

    python manage.py mcp_stdio --access-key-id AKIA...

The tools act as that access key (its account, its allowed flows), as over HTTP.
stdout carries the protocol, so logging goes to stderr only.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agents.mcp_server import CURRENT_KEY, build_server
from workforce import access_keys


class Command(BaseCommand):
    help = "Serve the hitl MCP tools (request_approval, ask_human, get_review) over stdio."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--access-key-id", required=True, help="the hitl access key the tools act as")

    def handle(self, *args: Any, access_key_id: str, **options: Any) -> None:
        key = access_keys.active_key(access_key_id)
        if key is None:
            raise CommandError(f"Access key {access_key_id} does not exist or is not active.")
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is sys.stdout:
                handler.setStream(sys.stderr)
        CURRENT_KEY.set(key)
        build_server().run("stdio")
