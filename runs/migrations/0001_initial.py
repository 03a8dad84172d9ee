
import django.db.models.deletion
import django.utils.timezone
import hub.fields
import integrations.shopify.client
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0003_shopify_deliveries_name'),
        ('integrations', '0002_rate_limits_connections'),
        ('tasks_app', '0002_globals_secrets_bulk_email_templates'),
    ]

    operations = [
        # The run models move here from tasks_app: the tables stay as they are (0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ActionRun',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('status', models.CharField(choices=[('unscheduled', 'Unscheduled'), ('scheduled', 'Scheduled'), ('due', 'Due'), ('started', 'Started'), ('failed', 'Failed'), ('succeeded', 'Succeeded')], db_index=True, max_length=16)),
                        ('ok', models.BooleanField(blank=True, null=True)),
                        ('error', models.TextField(blank=True, null=True)),
                        ('result', hub.fields.JSONField(blank=True, null=True)),
                        ('result_meta', hub.fields.JSONField(blank=True, default=integrations.shopify.client.empty_usage)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('run_at', models.DateTimeField(db_index=True)),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('stopped_at', models.DateTimeField(blank=True, null=True)),
                        ('elapsed_time_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('position', models.PositiveIntegerField(default=0, help_text="Order among the task run's actions.")),
                        ('action_type', models.CharField(max_length=64)),
                        ('options', hub.fields.JSONField(blank=True, null=True)),
                        ('meta', hub.fields.JSONField(blank=True, null=True)),
                        ('perform_event', models.BooleanField(default=True, help_text='False when the action set __perform_event: false.')),
                        ('shopify_api_version', models.CharField(blank=True, default='', max_length=20)),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.shop')),
                    ],
                    options={
                        'db_table': 'tasks_app_actionrun',
                        'verbose_name': 'action run',
                        'ordering': ['task_run', 'position'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='EventRun',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('status', models.CharField(choices=[('unscheduled', 'Unscheduled'), ('scheduled', 'Scheduled'), ('due', 'Due'), ('started', 'Started'), ('failed', 'Failed'), ('succeeded', 'Succeeded')], db_index=True, max_length=16)),
                        ('ok', models.BooleanField(blank=True, null=True)),
                        ('error', models.TextField(blank=True, null=True)),
                        ('result', hub.fields.JSONField(blank=True, null=True)),
                        ('result_meta', hub.fields.JSONField(blank=True, default=integrations.shopify.client.empty_usage)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('run_at', models.DateTimeField(db_index=True)),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('stopped_at', models.DateTimeField(blank=True, null=True)),
                        ('elapsed_time_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('event', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='run', to='events.event')),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.shop')),
                    ],
                    options={
                        'db_table': 'tasks_app_eventrun',
                        'verbose_name': 'event run',
                        'ordering': ['-created_at'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='TaskRun',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('status', models.CharField(choices=[('unscheduled', 'Unscheduled'), ('scheduled', 'Scheduled'), ('due', 'Due'), ('started', 'Started'), ('failed', 'Failed'), ('succeeded', 'Succeeded')], db_index=True, max_length=16)),
                        ('ok', models.BooleanField(blank=True, null=True)),
                        ('error', models.TextField(blank=True, null=True)),
                        ('result', hub.fields.JSONField(blank=True, null=True)),
                        ('result_meta', hub.fields.JSONField(blank=True, default=integrations.shopify.client.empty_usage)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('run_at', models.DateTimeField(db_index=True)),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('stopped_at', models.DateTimeField(blank=True, null=True)),
                        ('elapsed_time_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('subscription', models.CharField(help_text='The subscription line that matched.', max_length=255)),
                        ('shopify_api_version', models.CharField(blank=True, default='', max_length=20)),
                        ('error_details', models.TextField(blank=True, help_text='Where a Liquid error happened: source line and caret.', null=True)),
                        ('secret_nonce', models.CharField(blank=True, default='', help_text="Nonce of this run's secret references.", max_length=64)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='task_runs', to='events.event')),
                        ('event_run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='task_runs', to='runs.eventrun')),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.shop')),
                        ('task', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='task_runs', to='tasks_app.task')),
                    ],
                    options={
                        'db_table': 'tasks_app_taskrun',
                        'verbose_name': 'task run',
                        'ordering': ['-created_at'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='BulkOperationMonitor',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('operation_id', models.CharField(db_index=True, help_text='gid://shopify/BulkOperation/…', max_length=255)),
                        ('operation_type', models.CharField(help_text='QUERY or MUTATION', max_length=16)),
                        ('api_version', models.CharField(max_length=20)),
                        ('status', models.CharField(default='CREATED', max_length=16)),
                        ('operation', hub.fields.JSONField(blank=True, help_text='The BulkOperation object last read from Shopify.', null=True)),
                        ('polls', models.PositiveIntegerField(default=0)),
                        ('next_poll_at', models.DateTimeField(db_index=True)),
                        ('last_polled_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True, null=True)),
                        ('completed_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('action_run', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='bulk_operation_monitors', to='runs.actionrun')),
                        ('completion_event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='events.event')),
                        ('event', models.ForeignKey(help_text='The originating event.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='events.event')),
                        ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='integrations.shop')),
                        ('task', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tasks_app.task')),
                        ('task_run', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='runs.taskrun')),
                    ],
                    options={
                        'db_table': 'tasks_app_bulkoperationmonitor',
                        'verbose_name': 'bulk operation monitor',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddField(
                    model_name='actionrun',
                    name='task_run',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_runs', to='runs.taskrun'),
                ),
            ],
        ),
    ]
