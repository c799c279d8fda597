import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workstudy", "0008_regions_default_county")]

    operations = [
        migrations.AlterField(
            model_name="school",
            name="county",
            field=models.ForeignKey(
                limit_choices_to={"level": 3},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="schools",
                to="workstudy.region",
                verbose_name="所属县（市、区）",
            ),
        ),
    ]
