from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Variable",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "verbose_name": "variable",
                "verbose_name_plural": "Variables",
                "permissions": [("view_variable", "Can view expvar variables")],
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
