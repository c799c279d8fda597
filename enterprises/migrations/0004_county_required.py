import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0003_county")]

    operations = [
        migrations.AlterField(
            model_name="enterprise",
            name="county",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workstudy.region",
                verbose_name="所属县（市、区）",
            ),
        ),
    ]
