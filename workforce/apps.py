from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "workforce"
    verbose_name = "Accounts and reviewers"  # the admin index section

    def ready(self) -> None:
        from hitl.aws import credentials
        from workforce import access_keys, roles
        from workforce.api import sagemaker, sts  # noqa: F401  (registers the team, workforce and STS operations)
        from workforce.audit import trail as audit

        # The wire layer reaches keys and the audit trail only through these (hitl.aws.credentials).
        credentials.register_store(access_keys)
        credentials.register_api_call_recorder(audit.record_api_call)
        credentials.register_staff_account_lookup(roles.staff_account)
