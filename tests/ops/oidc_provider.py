"""A tiny OpenID Connect provider for tests: discovery, authorize, token (RS256 ID token), userinfo, JWKS.

Runs on 127.0.0.1 in a thread. `provider.next_claims` are the claims of the
person who "signs in" at the next authorization request (no login form).
The client is registered for `client_auth_method` and the discovery document
lists `auth_methods_supported`; PKCE is checked when the request carries it.
Authorization queries and token requests are recorded for assertions.
For a real provider with login pages, over HTTPS, see tests/browser/oidc_server.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class OidcProvider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.next_claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.client_auth_method = "client_secret_basic"
        self.auth_methods_supported = ["client_secret_post", "client_secret_basic"]
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def oidc_config(self) -> dict[str, str]:
        """The workforce's OidcConfig for this provider (without ClientSecret)."""
        return {
            "ClientId": self.client_id,
            "Issuer": self.url,
            "AuthorizationEndpoint": f"{self.url}/authorize",
            "TokenEndpoint": f"{self.url}/token",
            "UserInfoEndpoint": f"{self.url}/userinfo",
            "LogoutEndpoint": f"{self.url}/logout",
            "JwksUri": f"{self.url}/jwks",
        }

    def _id_token(self, claims: dict[str, Any], nonce: str | None) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **claims}
        if nonce:
            body["nonce"] = nonce
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    config = provider.oidc_config()
                    self._json(
                        {
                            "issuer": provider.url,
                            # Deliberately wrong: the workforce's OidcConfig must win over discovery.
                            "authorization_endpoint": f"{provider.url}/discovery-says-elsewhere",
                            "token_endpoint": config["TokenEndpoint"],
                            "userinfo_endpoint": config["UserInfoEndpoint"],
                            "jwks_uri": config["JwksUri"],
                            "token_endpoint_auth_methods_supported": provider.auth_methods_supported,
                        }
                    )
                elif url.path == "/authorize":
                    provider.authorize_requests.append(query)
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        self._json({"error": "invalid_request"}, 400)
                        return
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {
                        "claims": dict(provider.next_claims),
                        "nonce": query.get("nonce"),
                        "code_challenge": query.get("code_challenge"),
                    }
                    target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        self._json({"error": "invalid_token"}, 401)
                        return
                    self._json(provider.tokens[token])
                elif url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": provider.kid, "use": "sig", "alg": "RS256"}]})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                if urlparse(self.path).path != "/token":
                    self._json({"error": "not_found"}, 404)
                    return
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                method, client_id, secret = self._client_credentials(form)
                provider.token_requests.append({"method": method, "form": form})
                if method != provider.client_auth_method or (client_id, secret) != (
                    provider.client_id,
                    provider.client_secret,
                ):
                    self._json({"error": "invalid_client"}, 401)
                    return
                grant = provider.codes.pop(form.get("code", [""])[0], None)
                if grant is None or not _pkce_ok(grant["code_challenge"], form.get("code_verifier", [None])[0]):
                    self._json({"error": "invalid_grant"}, 400)
                    return
                access_token = secrets.token_urlsafe(16)
                provider.tokens[access_token] = grant["claims"]
                self._json(
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider._id_token(grant["claims"], grant["nonce"]),
                    }
                )

            def _client_credentials(self, form: dict[str, list[str]]) -> tuple[str, str, str]:
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    # RFC 6749 2.3.1: each part is form-urlencoded before base64.
                    client_id, _, secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
                    return "client_secret_basic", unquote_plus(client_id), unquote_plus(secret)
                return "client_secret_post", form.get("client_id", [""])[0], form.get("client_secret", [""])[0]

        return Handler


def _pkce_ok(challenge: str | None, verifier: str | None) -> bool:
    if challenge is None:
        return verifier is None
    digest = hashlib.sha256((verifier or "").encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
