"""A real OpenID Connect provider over HTTPS for browser tests, and the throw-away CA everyone trusts.

* `ThrowawayCa` makes a CA and a server certificate for 127.0.0.1 with `cryptography`;
* `OidcServer` runs panva's `oidc-provider` (npm, pinned by tests/browser/idp/package-lock.json and
  installed once into var/npm/) with tests/browser/idp/server.mjs;
* `nss_home` makes a HOME whose NSS database (what Chromium on Linux trusts besides its root store)
  holds the CA, so Chromium checks the provider's certificate for real.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IDP_SOURCES = Path(__file__).resolve().parent / "idp"
NPM_CACHE = Path(__file__).resolve().parents[2] / "var" / "npm"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class ThrowawayCa:
    """A CA made for one test session, and the provider's certificate for 127.0.0.1 it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, folder: Path) -> ThrowawayCa:
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (
            x509.CertificateBuilder()
            .subject_name(_name("hitl test CA"))
            .issuer_name(_name("hitl test CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("127.0.0.1"))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        paths = cls(folder / "ca.pem", folder / "idp.pem", folder / "idp-key.pem")
        paths.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        paths.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        paths.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return paths


def nss_home(ca: ThrowawayCa, home: Path) -> Path:
    """Return a HOME whose ~/.pki/nssdb trusts `ca` for TLS servers (Chromium reads it on Linux)."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    certutil = shutil.which("certutil")
    assert certutil, "certutil is missing: apt-get install libnss3-tools (scripts/install.sh --system)"
    subprocess.run([certutil, "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True, timeout=30)
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{nssdb}", "-n", "hitl test CA", "-t", "C,,", "-i", str(ca.ca_file)],
        check=True,
        timeout=30,
    )
    return home


def install_provider() -> Path:
    """Install the pinned npm packages once (keyed by the lock file's hash); return the folder to run in."""
    lock = (IDP_SOURCES / "package-lock.json").read_bytes()
    folder = NPM_CACHE / f"oidc-idp-{hashlib.sha256(lock).hexdigest()[:12]}"
    assert shutil.which("node") and shutil.which("npm"), "the OIDC provider needs Node.js and npm on PATH"
    if not (folder / "node_modules" / "oidc-provider" / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(IDP_SOURCES / name, folder / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True, timeout=300
        )
    # The script is copied next to its node_modules: ES modules resolve packages from their own folder.
    shutil.copyfile(IDP_SOURCES / "server.mjs", folder / "server.mjs")
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class OidcServer:
    """oidc-provider on https://127.0.0.1:<free port>, with its login and consent pages.

    `accounts` maps a login name to that person's claims. Register the relying party with
    `start(client_id, client_secret, redirect_uri)` once its callback URL is known.
    """

    def __init__(self, ca: ThrowawayCa, folder: Path, accounts: dict[str, dict[str, Any]]) -> None:
        self.ca, self.folder, self.accounts = ca, folder, accounts
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.log_file = folder / "idp-log.jsonl"
        self.process: subprocess.Popen | None = None

    def oidc_config(self, client_id: str, client_secret: str) -> dict[str, str]:
        """The workforce's OidcConfig for this provider, every endpoint as oidc-provider serves it."""
        return {
            "ClientId": client_id,
            "ClientSecret": client_secret,
            "Issuer": self.url,
            "AuthorizationEndpoint": f"{self.url}/auth",
            "TokenEndpoint": f"{self.url}/token",
            "UserInfoEndpoint": f"{self.url}/me",
            "LogoutEndpoint": f"{self.url}/session/end",
            "JwksUri": f"{self.url}/jwks",
        }

    def start(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        directory = install_provider()
        config = {
            "issuer": self.url,
            "port": self.port,
            "certFile": str(self.ca.cert_file),
            "keyFile": str(self.ca.key_file),
            "logFile": str(self.log_file),
            "cookieKey": secrets.token_urlsafe(24),
            "clients": [
                {
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "redirect_uris": [redirect_uri],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    # oidc-provider's default, and most providers': the secret in the Authorization header.
                    "token_endpoint_auth_method": "client_secret_basic",
                }
            ],
            "accounts": self.accounts,
        }
        config_file = self.folder / "idp-config.json"
        config_file.write_text(json.dumps(config))
        with open(self.folder / "idp-stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                ["node", "server.mjs", str(config_file)], cwd=directory, stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + 30
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"oidc-provider did not start: {(self.folder / 'idp-stderr.log').read_text()}")
            time.sleep(0.05)

    def log(self, event: str) -> list[dict[str, Any]]:
        """Entries of one kind (`authorization`, `token`, `token-error`) the provider logged so far."""
        if not self.log_file.exists():
            return []
        entries = [json.loads(line) for line in self.log_file.read_text().splitlines()]
        return [entry for entry in entries if entry["event"] == event]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
