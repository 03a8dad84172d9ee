"""``Event.origin_task`` becomes a plain task id, ``origin_task_id``: events no longer depend on the
tasks app (the run engine routes by it, spec/runtime.md §3.4). The column and its values stay;
only the foreign-key constraint goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0003_shopify_deliveries_name'),
        ('tasks_app', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name='event',
                    name='origin_task',
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name='+',
                        to='tasks_app.task',
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name='event',
                    name='origin_task',
                ),
                migrations.AddField(
                    model_name='event',
                    name='origin_task_id',
                    field=models.UUIDField(blank=True, help_text='The task whose run led to this event (follow-up, bulk, error events).', null=True),
                ),
            ],
        ),
    ]
