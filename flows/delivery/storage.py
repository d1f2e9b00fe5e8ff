"""Output stores: a local directory (embedded default) or any S3-compatible service.

HITL_OUTPUT_BACKEND=local writes to HITL_LOCAL_STORE_DIR/<bucket>/<key>;
HITL_OUTPUT_BACKEND=s3 uses boto3 with the standard AWS variables
(AWS_ENDPOINT_URL_S3 for MinIO or any compatible endpoint).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings


class OutputStore(Protocol):
    def put(self, bucket: str, key: str, body: bytes, *, content_type: str, kms_key_id: str = "") -> None: ...

    def get(self, bucket: str, key: str) -> bytes: ...

    def put_stream(self, bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str) -> None:
        """Write an object of any size from `chunks`, holding only a part of it in memory at a time."""

    def list_keys(self, bucket: str, prefix: str, limit: int) -> Iterator[str]:
        """Yield the keys under `prefix`, in key order, at most `limit` of them."""

    def check(self) -> None:
        """Raise if the store cannot be reached (used by /readyz)."""


class LocalStore:
    """Objects as files under a root directory, written atomically (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, bucket: str, key: str) -> Path:
        path = (self.root / bucket / key).resolve()
        if not str(path).startswith(str(self.root.resolve()) + os.sep):
            raise ValueError(f"key {key!r} escapes the store")
        return path

    def put(self, bucket: str, key: str, body: bytes, *, content_type: str, kms_key_id: str = "") -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, path)

    def get(self, bucket: str, key: str) -> bytes:
        return self._path(bucket, key).read_bytes()

    def put_stream(self, bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str) -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        except BaseException:
            os.unlink(tmp)
            raise
        os.replace(tmp, path)

    def list_keys(self, bucket: str, prefix: str, limit: int) -> Iterator[str]:
        base = (self.root / bucket).resolve()
        if not base.is_dir():
            return
        found = 0
        for path in sorted(base.rglob("*")):
            key = path.relative_to(base).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.startswith(".tmp-"):
                yield key
                found += 1
                if found >= limit:
                    return

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)


class S3Store:
    """Objects in S3 or an S3-compatible server, through boto3."""

    def __init__(self) -> None:
        import boto3
        from botocore.config import Config

        self.client = boto3.client(
            "s3",
            region_name=settings.HITL_REGION,
            config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30),
        )

    def put(self, bucket: str, key: str, body: bytes, *, content_type: str, kms_key_id: str = "") -> None:
        extra = {}
        if kms_key_id:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, **extra)

    def get(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def put_stream(self, bucket: str, key: str, chunks: Iterable[bytes], *, content_type: str) -> None:
        # boto3's managed transfer sends a multipart upload of 8 MB parts: memory stays a few parts.
        self.client.upload_fileobj(_ChunkReader(chunks), bucket, key, ExtraArgs={"ContentType": content_type})

    def list_keys(self, bucket: str, prefix: str, limit: int) -> Iterator[str]:
        found = 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"]
                found += 1
                if found >= limit:
                    return

    def check(self) -> None:
        self.client.list_buckets()


class _ChunkReader:
    """A read-only file object over an iterator of byte strings (what upload_fileobj reads from)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


# S3 errors that a retry cannot fix: the bucket, the key, the permission or the KMS key must change.
PERMANENT_S3_ERRORS = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidBucketName",
    "InvalidArgument",
    "InvalidObjectName",
    "KeyTooLongError",
    "KMS.DisabledException",
    "KMS.NotFoundException",
    "KMS.InvalidKeyUsageException",
    "NoSuchBucket",
    "AccountProblem",
}


def permanent_failure_reason(exc: BaseException) -> str | None:
    """Return what to fix when a store write failed for good (None: transient, retry it)."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in PERMANENT_S3_ERRORS:
            message = exc.response.get("Error", {}).get("Message", "")
            return (
                f"The output store refused the write with {code} ({message[:200]}): check that the flow "
                "definition's S3OutputPath names an existing bucket this server may write to, and its KmsKeyId."
            )
        return None
    if isinstance(exc, ValueError | NotADirectoryError | IsADirectoryError | FileExistsError | PermissionError):
        return (
            f"The local output store cannot write there ({exc}): check the flow definition's S3OutputPath "
            "and that HITL_LOCAL_STORE_DIR is writable by the server."
        )
    return None


@cache
def get_store() -> OutputStore:
    """Return the configured output store (one per process)."""
    backend = settings.HITL_OUTPUT_BACKEND
    if backend == "local":
        return LocalStore(settings.HITL_LOCAL_STORE_DIR)
    if backend == "s3":
        return S3Store()
    raise ValueError(f"HITL_OUTPUT_BACKEND must be 'local' or 's3', got {backend!r}")
