"""Existing plain-text DRF tokens become hashed, expiring, named API tokens (same secret: integrators keep
working until the expiry), and the plain-text copies are deleted. See docs/deployment.md, upgrade notes."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def convert(apps, schema_editor):
    from knox.crypto import hash_token

    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("survey", "ApiToken")
    expiry = timezone.now() + datetime.timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 90))
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        for key, user_id in rows:
            ApiToken.objects.get_or_create(
                digest=hash_token(key),
                defaults={"token_key": key[:15], "user_id": user_id, "expiry": expiry, "name": "DRF token (upgraded)"},
            )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("survey", "0008_api_token")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
