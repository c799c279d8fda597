from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aggregates', '0003_schoolyearfigures_token'),
    ]

    operations = [
        migrations.AddField(
            model_name='productpricemedian',
            name='token',
            field=models.BigIntegerField(default=0, verbose_name='变更标记'),
        ),
    ]
