"""Status-event webhook endpoint secrets are stored encrypted (workforce.secrets), as channel secrets are."""

from django.db import migrations, models

from workforce import secrets


def fill_encrypted_secrets(apps, schema_editor):
    endpoints = apps.get_model("flows", "WebhookEndpoint")
    for endpoint in endpoints.objects.exclude(secret=""):
        endpoint.encrypted_secret = secrets.encrypt(endpoint.secret)
        endpoint.save(update_fields=["encrypted_secret"])


def fill_plain_secrets(apps, schema_editor):
    endpoints = apps.get_model("flows", "WebhookEndpoint")
    for endpoint in endpoints.objects.exclude(encrypted_secret=""):
        endpoint.secret = secrets.decrypt(endpoint.encrypted_secret)
        endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("flows", "0010_review_task_claimed_ahead")]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="encrypted_secret",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_encrypted_secrets, fill_plain_secrets),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
    ]
