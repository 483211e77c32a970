from django.db import migrations

BUILT_IN_GROUPS = ("guests", "members", "moderators", "administrators")


def create_built_in_groups(apps, schema_editor):
    # Their default rights live in code (permissions.models.DEFAULT_RIGHTS), not in rows.
    Group = apps.get_model("auth", "Group")
    for name in BUILT_IN_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("permissions", "0001_forum_permissions"),
    ]

    operations = [migrations.RunPython(create_built_in_groups, migrations.RunPython.noop)]
