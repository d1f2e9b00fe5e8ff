"""Workforce: accounts, access keys, workforces, work teams and reviewers, roles, OIDC sign-in, and the audit trail.

The lowest domain layer: it never imports flows, the portal or the adapters (the
import-linter contracts in pyproject.toml). It registers the credential store, the API-call
recorder and the staff-account lookup with hitl.aws.credentials, and its team, workforce and
STS operations (`api/`) with hitl.aws.registry.
"""
