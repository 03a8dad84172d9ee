
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tasks_app', '0002_globals_secrets_bulk_email_templates'),
        ('runs', '0001_initial'),
    ]

    operations = [
        # The run models now belong to the runs app (runs 0001); their tables are kept.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='action_run',
                ),
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='completion_event',
                ),
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='task',
                ),
                migrations.RemoveField(
                    model_name='bulkoperationmonitor',
                    name='task_run',
                ),
                migrations.RemoveField(
                    model_name='eventrun',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='eventrun',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='taskrun',
                    name='event_run',
                ),
                migrations.RemoveField(
                    model_name='taskrun',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='taskrun',
                    name='shop',
                ),
                migrations.RemoveField(
                    model_name='taskrun',
                    name='task',
                ),
                migrations.DeleteModel(
                    name='ActionRun',
                ),
                migrations.DeleteModel(
                    name='BulkOperationMonitor',
                ),
                migrations.DeleteModel(
                    name='EventRun',
                ),
                migrations.DeleteModel(
                    name='TaskRun',
                ),
            ],
        ),
    ]
