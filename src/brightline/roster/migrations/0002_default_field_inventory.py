"""The district's default data inventory: which fields make up each record category.

Release packets hold only inventory fields. `immigration` has no fields on purpose: citizenship,
immigration status and place of birth are never collected (Plyler v. Doe), so there is nothing to release.
"""

from django.db import migrations

DEFAULT_INVENTORY = {
    "directory": [
        ("first_name", "First name", "Directory information (FERPA 99.37)."),
        ("last_name", "Last name", "Directory information (FERPA 99.37)."),
        ("grade", "Grade level", "Current grade level."),
        (
            "age",
            "Age",
            "Computed from the birth date on the day of release; the birth date itself is not directory information.",
        ),
        ("enrolled_on", "First day of enrollment", "Dates of attendance: first day."),
        ("enrollment_ends_on", "Last day of enrollment", "Dates of attendance: last day, when known."),
    ],
    "contact": [
        ("home_address", "Home address", "The custodial guardian's postal address."),
        ("home_phone", "Home phone", "The custodial guardian's phone number."),
        ("guardian_names", "Guardians' names", "Names of the parents, guardians and relatives on file."),
        ("guardian_relationships", "Guardians' relationship", "Parent, guardian or relative."),
        ("guardian_email", "Guardians' email", "Email addresses of the guardians on file."),
        ("guardian_phone", "Guardians' phone", "Phone numbers of the guardians on file."),
    ],
    "enrollment": [
        ("school", "School attended", "Name of the school the student attends."),
        ("school_address", "School address", "Address of the school the student attends."),
        (
            "class_schedule",
            "Class schedule",
            "Classes, periods and rooms: where the student can be found during the day.",
        ),
        ("transportation", "Transportation", "Bus route, stop and pick-up times."),
    ],
    "attendance": [
        ("days_present", "Days present", "Days present in the school year."),
        ("absences", "Absences", "Dates of absence, excused or not."),
        ("tardies", "Tardies and dismissals", "Late arrivals and early dismissals."),
    ],
    "academic": [
        ("course_grades", "Course grades", "Marks for each course and term."),
        ("transcript", "Transcript", "Courses taken and credits earned."),
        ("test_scores", "Test scores", "State and district assessment results."),
    ],
    "discipline": [
        ("incidents", "Disciplinary incidents", "School behavioural incidents as recorded by staff."),
        ("suspensions", "Suspensions and exclusions", "Dates, length and grounds."),
    ],
    "health": [
        ("immunizations", "Immunizations", "Immunization record."),
        (
            "health_conditions",
            "Health conditions",
            "Conditions, allergies and care plans known to the school nurse.",
        ),
        ("medications", "Medications", "Medications given at school."),
        ("nurse_visits", "Nurse visits", "Visits to the school nurse."),
    ],
    "special_education": [
        ("iep", "Individualized education program", "The current IEP and its services."),
        ("evaluations", "Evaluations", "Special-education evaluations and their results."),
        ("section_504_plan", "Section 504 plan", "Accommodations under Section 504."),
    ],
    "counseling": [
        (
            "counseling_notes",
            "Counseling records",
            "Records of the school adjustment counselor and psychologist.",
        ),
        ("referrals", "Referrals", "Referrals to outside services."),
    ],
    "law_enforcement_unit": [
        (
            "incident_reports",
            "School police incident reports",
            "Reports made and kept by the school police unit for a law-enforcement purpose.",
        ),
    ],
    "child_welfare": [
        (
            "report_51a",
            "51A reports",
            "Reports of suspected abuse or neglect filed by the school (c.119 s.51A).",
        ),
        (
            "dcf_correspondence",
            "DCF correspondence",
            "Correspondence with the Department of Children and Families.",
        ),
    ],
}


def add_inventory(apps, schema_editor):
    DataField = apps.get_model("roster", "DataField")
    for category, fields in DEFAULT_INVENTORY.items():
        for field_name, label, description in fields:
            DataField.objects.get_or_create(
                category=category,
                field_name=field_name,
                defaults={"label": label, "description": description},
            )


def remove_inventory(apps, schema_editor):
    DataField = apps.get_model("roster", "DataField")
    for category, fields in DEFAULT_INVENTORY.items():
        DataField.objects.filter(category=category, field_name__in=[name for name, _, _ in fields]).delete()


class Migration(migrations.Migration):
    dependencies = [("roster", "0001_initial")]

    operations = [migrations.RunPython(add_inventory, remove_inventory)]
