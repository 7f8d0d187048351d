"""Answers carry their rating's counter, unit and time (copied, never changed), so that the rollup rebuild counts
them without a join; and a small partial index finds the ratings that do not count."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE survey_ratinganswer SET counter_id = r.counter_id, unit_id = r.unit_id, created_at = r.created_at "
    "FROM survey_rating AS r WHERE r.id = survey_ratinganswer.rating_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0005_integrity"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratinganswer",
            name="counter",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="survey.counter",
            ),
        ),
        migrations.AddField(
            model_name="ratinganswer",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="survey.unit",
            ),
        ),
        migrations.AddField(
            model_name="ratinganswer",
            name="created_at",
            field=models.DateTimeField(null=True, verbose_name="lúc đánh giá"),
        ),
        # PostgreSQL and SQLite (3.33+) both take UPDATE ... FROM.
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="ratinganswer",
            name="counter",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="survey.counter",
            ),
        ),
        migrations.AlterField(
            model_name="ratinganswer",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="survey.unit",
            ),
        ),
        migrations.AlterField(
            model_name="ratinganswer",
            name="created_at",
            field=models.DateTimeField(verbose_name="lúc đánh giá"),
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("status__in", ["accepted", "reinstated"]), _negated=True),
                fields=["id"],
                name="rating_not_counted",
            ),
        ),
    ]
