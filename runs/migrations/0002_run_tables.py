"""The run tables take the runs app's names (``runs_eventrun`` ...), and the content types (and so
permissions and admin history) of the moved models follow them to the runs app."""

from django.db import migrations

MOVED = ("eventrun", "taskrun", "actionrun", "bulkoperationmonitor")


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not content_type.objects.using(db).filter(app_label="runs", model=model).exists():
            content_type.objects.using(db).filter(app_label="tasks_app", model=model).update(app_label="runs")


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    content_type.objects.using(db).filter(app_label="runs", model__in=MOVED).update(app_label="tasks_app")


class Migration(migrations.Migration):

    dependencies = [
        ('runs', '0001_initial'),
        ('tasks_app', '0003_runs_move_to_runs_app'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='eventrun', table=None),
        migrations.AlterModelTable(name='taskrun', table=None),
        migrations.AlterModelTable(name='actionrun', table=None),
        migrations.AlterModelTable(name='bulkoperationmonitor', table=None),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
