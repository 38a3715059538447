"""Who made each incident report, and what for: the classification reads both (FERPA 99.8).

Before this migration a report said who was making it by a choice on the form that any recorder could
tick. Each earlier report is read here from what is known, conservatively: it was the school police
unit's only when it said so and its author's account is a school staff account (an officer); a
principal's, an administrator's, or one whose author is no longer on file, was made by school staff. A
report made by school staff that sat in law_enforcement_unit becomes school discipline, an education
record: a classification saying why in plain words is appended and the earlier ones stay. Purpose: a
law-enforcement purpose for a school police report already kept as a law-enforcement record, the
school's discipline process for every other.

Self-contained (no app imports), as data migrations should be. Unapplying it keeps these changes: the
appended classifications are history, which is appended and never removed, and each correction holds
under the earlier schema too (a principal's report was never the school police unit's). The appended
classifications have no ledger entry (the ledger is written by the services, not by migrations); each
says in its explanation when and why it was made.
"""

from django.db import migrations, models
from django.utils import timezone

EXPLANATION = (
    "A school discipline matter, kept only in the students' discipline record: school staff made this "
    "report (a principal, a teacher or another member of staff), not the school police unit, so it is an "
    "education record, even when it is made for the police or a copy is sent to them (criterion "
    "EDU-staff; source: FERPA 99.3, 99.8(b)(1)). Reclassified when the district began to classify "
    "incident reports by who made them."
)


def read_who_made_each_report(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentClassification = apps.get_model("incidents", "IncidentClassification")
    roles = Incident.objects.exclude(recorded_by=None).values_list("recorded_by__role", flat=True)
    for role in set(roles):
        Incident.objects.filter(recorded_by__role=role).update(recorded_by_role=role)
    police = models.Q(reporting_unit="school_police", recorded_by__role="school_staff")
    Incident.objects.filter(police, record_category="law_enforcement_unit").update(purpose="law_enforcement")
    staff = Incident.objects.exclude(police)
    staff.filter(reporting_unit="school_police").update(reporting_unit="school_staff")
    now = timezone.now()
    moved = list(staff.filter(record_category="law_enforcement_unit").values_list("pk", flat=True))
    IncidentClassification.objects.bulk_create(
        IncidentClassification(
            incident_id=pk,
            record_category="discipline",
            source="policy",
            criteria=["EDU-staff"],
            explanation=EXPLANATION,
            decided_at=now,
        )
        for pk in moved
    )
    Incident.objects.filter(pk__in=moved).update(record_category="discipline")


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='purpose',
            field=models.CharField(choices=[('school_discipline', "The school's discipline process"), ('law_enforcement', 'A law-enforcement purpose')], default='school_discipline', help_text='What the author made the report for.', max_length=20),
        ),
        migrations.AddField(
            model_name='incident',
            name='recorded_by_role',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='staffschool',
            name='unit',
            field=models.CharField(choices=[('school_staff', 'School staff'), ('school_police', 'School police unit')], default='school_staff', help_text='The school police unit only for its officers (school staff accounts); principals, teachers and administrators are school staff.', max_length=20),
        ),
        migrations.AlterField(
            model_name='incident',
            name='record_category',
            field=models.CharField(choices=[('discipline', 'School discipline (an education record)'), ('law_enforcement_unit', 'Law-enforcement record (school police unit)')], db_index=True, max_length=32),
        ),
        migrations.AlterField(
            model_name='incidentclassification',
            name='record_category',
            field=models.CharField(choices=[('discipline', 'School discipline (an education record)'), ('law_enforcement_unit', 'Law-enforcement record (school police unit)')], max_length=32),
        ),
        migrations.RunPython(read_who_made_each_report, migrations.RunPython.noop),
    ]
