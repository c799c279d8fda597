import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("insurance", "0006_county")]

    operations = [
        migrations.AlterField(
            model_name="insurer",
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
        migrations.AlterField(
            model_name="fundingrule",
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
        migrations.AlterField(
            model_name="insurancepolicy",
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
