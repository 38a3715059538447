"""A synthetic district as a OneRoster 1.1 bundle: the demo's roster and the import benchmark's input.

Everything is drawn from one seeded random generator, so the same seed writes the same files. Nobody in
it is real. Files are written row by row, so a 100,000-student bundle takes little memory.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from brightline.roster.oneroster import EXTENSION_FILE, UNSTORED_DEMOGRAPHIC_COLUMNS

SCHOOL_YEAR_START = date(2025, 9, 2)
SCHOOL_YEAR_END = date(2026, 6, 19)
GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")

# (sourcedId, name, identifier, street, lowest grade, highest grade)
SCHOOLS = (
    ("sch-101", "Harriet Tubman Elementary School", "0101", "18 Elm Street", 0, 5),
    ("sch-102", "Lucy Stone Elementary School", "0102", "240 Centre Avenue", 0, 5),
    ("sch-103", "Cesar Chavez Elementary School", "0103", "7 Orchard Lane", 0, 5),
    ("sch-201", "Harbor View Middle School", "0201", "95 Harbor Road", 6, 8),
    ("sch-202", "Maria Baldwin Middle School", "0202", "311 Washington Street", 6, 8),
    ("sch-301", "Atlantic Avenue High School", "0301", "600 Atlantic Avenue", 9, 12),
    ("sch-302", "Neponset Valley High School", "0302", "12 River Street", 9, 12),
)
DISTRICT = ("dist-1", "Bright Line Demo Public Schools")
CITY, STATE = "Bright Line", "MA"

# Family languages, weighted roughly like a large Massachusetts district.
LANGUAGES = (
    ("en", 52),
    ("es", 17),
    ("ht", 6),
    ("kea", 4),
    ("pt", 6),
    ("vi", 4),
    ("zh-hans", 4),
    ("ar", 3),
    ("so", 2),
    ("ru", 2),
)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        (
            "Olivia",
            "Liam",
            "Emma",
            "Noah",
            "Ava",
            "Elijah",
            "Chloe",
            "James",
            "Zoë",
            "Aidan",
            "Mary-Kate",
            "Seán",
        ),
        (
            "Murphy",
            "Johnson",
            "Walsh",
            "O'Brien",
            "Smith",
            "Kelly",
            "Brown",
            "Sullivan",
            "Williams",
            "Fitzgerald",
        ),
    ),
    "es": (
        ("José", "María", "Sofía", "Mateo", "Valentina", "Santiago", "Lucía", "Andrés", "Ximena", "Íñigo"),
        ("García", "Rodríguez", "Núñez", "Hernández", "Martínez", "Peña", "Ramírez", "Colón", "Pérez-Ortiz"),
    ),
    "ht": (
        ("Jean", "Widlene", "Mackenson", "Fabiola", "Jean-Baptiste", "Roselande", "Wadson", "Nadège"),
        ("Pierre", "Joseph", "Louis", "Charles", "Étienne", "Desrosiers", "Jean-Louis", "Saint-Fleur"),
    ),
    "kea": (
        ("Djaniny", "Edmilson", "Nélida", "Kelvin", "Ailton", "Jéssica", "Adilson"),
        ("Semedo", "Tavares", "Gomes", "Monteiro", "Fernandes", "Lopes", "Varela"),
    ),
    "pt": (
        ("João", "Ana", "Gabriel", "Beatriz", "Thiago", "Letícia", "Rafael"),
        ("Silva", "Santos", "Oliveira", "Souza", "Conceição", "Pereira", "Araújo"),
    ),
    "vi": (
        ("Minh", "Anh", "Thảo", "Đức", "Linh", "Quang", "Ngọc"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Võ", "Huỳnh"),
    ),
    "zh-hans": (
        ("Wei", "Mei", "Jie", "Xiu", "Hao", "Lan", "Yi"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou"),
    ),
    "ar": (
        ("Omar", "Layla", "Yusuf", "Amira", "Khalid", "Nour", "Hassan"),
        ("Haddad", "Al-Sayed", "Khoury", "Mansour", "Nasser", "Saleh"),
    ),
    "so": (
        ("Abdi", "Hodan", "Mohamed", "Faadumo", "Liban", "Ayaan"),
        ("Warsame", "Abdullahi", "Farah", "Hussein", "Jama", "Osman"),
    ),
    "ru": (
        ("Dmitri", "Anastasia", "Ivan", "Yelena", "Mikhail", "Sofya"),
        ("Ivanov", "Petrova", "Smirnov", "Kuznetsova", "Popov", "Sokolova"),
    ),
}
STREETS = (
    "Dorchester Ave",
    "Blue Hill Ave",
    "Centre St",
    "Washington St",
    "Hyde Park Ave",
    "Bowdoin St",
    "Columbia Rd",
)

USERS_HEADER = (
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
)
DEMOGRAPHICS_HEADER = (
    "sourcedId",
    "status",
    "dateLastModified",
    "birthDate",
    *UNSTORED_DEMOGRAPHIC_COLUMNS,
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus",
)
ENROLLMENTS_HEADER = (
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
)
CLASSES_HEADER = (
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
)
EXTENSION_HEADER = (
    "sourcedId",
    "studentSourcedId",
    "directoryOptOut",
    "fosterCare",
    "missingChildFlag",
    "adjudicated",
    "preferredLanguage",
    "hasNoticeRights",
    "isCustodial",
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
)
SUBJECTS = ("ELA", "MATH", "SCI")


@dataclass
class SyntheticBundle:
    directory: Path
    schools: int = 0
    students: int = 0
    guardians: int = 0
    links: int = 0
    enrollments: int = 0
    languages: dict[str, int] = field(default_factory=dict)


def _birth_date(rng: random.Random, grade_index: int) -> date:
    # A kindergartner is 5 on September 1; a late birthday or a held-back year shifts it a little.
    oldest = date(SCHOOL_YEAR_START.year - grade_index - 6, 9, 2)
    return oldest + timedelta(days=rng.randrange(365 + (40 if rng.random() < 0.1 else 0)))


def _weighted_language(rng: random.Random) -> str:
    codes, weights = zip(*LANGUAGES, strict=True)
    chosen: str = rng.choices(codes, weights=weights)[0]
    return chosen


def _families(rng: random.Random, students: int) -> Iterator[tuple[str, list[int]]]:
    """(language, student numbers) for each family until `students` children are placed."""
    number = 0
    while number < students:
        size = min(rng.choices((1, 2, 3), weights=(62, 30, 8))[0], students - number)
        yield _weighted_language(rng), list(range(number, number + size))
        number += size


def write_synthetic_bundle(directory: Path, *, students: int, seed: int = 2026) -> SyntheticBundle:
    """Write manifest, orgs, classes, users, demographics, enrollments and the district extension."""
    rng = random.Random(seed)  # noqa: S311 (made-up people, not secrets)
    directory.mkdir(parents=True, exist_ok=True)
    result = SyntheticBundle(directory=directory, schools=len(SCHOOLS))
    missing_child = rng.randrange(students)
    # One student shares another's full name and birth date: name matching must find both.
    namesake = (3, 7) if students > 7 else None
    namesake_of: dict[int, tuple[str, str, date]] = {}
    begin, end = SCHOOL_YEAR_START.isoformat(), SCHOOL_YEAR_END.isoformat()

    (directory / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        + "".join(
            f"file.{name},bulk\n" for name in ("orgs", "classes", "users", "enrollments", "demographics")
        )
        + "".join(f"file.{name},absent\n" for name in ("academicSessions", "courses", "resources", "results"))
        + "source.systemName,Bright Line synthetic district\n",
        encoding="utf-8",
    )
    with (directory / "orgs.csv").open("w", newline="", encoding="utf-8") as handle:
        orgs = csv.writer(handle)
        orgs.writerow(
            ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId")
        )
        orgs.writerow((DISTRICT[0], "", "", DISTRICT[1], "district", "0000", ""))
        for sid, name, identifier, _, _, _ in SCHOOLS:
            orgs.writerow((sid, "", "", name, "school", identifier, DISTRICT[0]))

    with ExitStack() as files:

        def writer(name: str, header: tuple[str, ...]) -> Any:
            out = csv.writer(files.enter_context((directory / name).open("w", newline="", encoding="utf-8")))
            out.writerow(header)
            return out

        classes = writer("classes.csv", CLASSES_HEADER)
        users = writer("users.csv", USERS_HEADER)
        demographics = writer("demographics.csv", DEMOGRAPHICS_HEADER)
        enrollments = writer("enrollments.csv", ENROLLMENTS_HEADER)
        extension = writer(EXTENSION_FILE, EXTENSION_HEADER)

        by_grade: dict[int, list[str]] = {}
        for sid, _, _, _, low, high in SCHOOLS:
            teacher = f"tch-{sid}"
            users.writerow(
                (
                    teacher,
                    "",
                    "",
                    "true",
                    sid,
                    "teacher",
                    "",
                    "",
                    "Pat",
                    f"Teacher {sid}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
            )
            for grade_index in range(low, high + 1):
                by_grade.setdefault(grade_index, []).append(sid)
                for subject in ("HR", *SUBJECTS):
                    class_id = f"{sid}-{GRADES[grade_index]}-{subject}"
                    classes.writerow(
                        (class_id, "", "", f"{subject} {GRADES[grade_index]}", GRADES[grade_index], "", class_id,
                         "homeroom" if subject == "HR" else "scheduled", "", sid, "", "", "", "1")
                    )  # fmt: skip
                    enrollments.writerow(
                        (f"enr-{class_id}-t", "", "", class_id, sid, teacher, "teacher", "true", begin, end)
                    )

        guardian_number = 0
        for language, children in _families(rng, students):
            given, family = NAMES[language]
            last_name = rng.choice(family)
            address = (
                f"{rng.randrange(1, 999)} {rng.choice(STREETS)}",
                "" if rng.random() < 0.8 else f"Apt {rng.randrange(1, 40)}",
            )
            postal = f"02{rng.randrange(100, 140)}"
            guardians: list[tuple[str, str]] = []
            for position in range(rng.choices((1, 2), weights=(35, 65))[0]):
                guardian_number += 1
                gid = f"gdn-{guardian_number:06d}"
                role = rng.choices(("parent", "guardian", "relative"), weights=(90, 6, 4))[0]
                guardian_last = last_name if position == 0 or rng.random() < 0.7 else rng.choice(family)
                first = rng.choice(given)
                guardians.append((gid, role))
                child_ids = ",".join(f"stu-{n:06d}" for n in children)
                email = f"{gid}@families.example"
                phone = f"617-555-{rng.randrange(10000):04d}"
                users.writerow(
                    (
                        gid,
                        "",
                        "",
                        "true",
                        "",
                        role,
                        "",
                        "",
                        first,
                        guardian_last,
                        "",
                        "",
                        email,
                        "",
                        phone,
                        child_ids,
                        "",
                        "",
                    )
                )
                extension.writerow(
                    (gid, "", "", "", "", "", language, "", "", *address, CITY, STATE, postal)
                    if position == 0
                    else (gid, "", "", "", "", "", language, "", "", "", "", "", "", "")
                )
                # Now and then a parent who lives elsewhere and, by court order, gets no notices.
                if position == 1 and rng.random() < 0.02:
                    for n in children:
                        extension.writerow(
                            (gid, f"stu-{n:06d}", "", "", "", "", "", "false", "false", "", "", "", "", "")
                        )
                result.languages[language] = result.languages.get(language, 0) + 1
            result.guardians += len(guardians)
            for n in children:
                sid = f"stu-{n:06d}"
                grade_index = rng.randrange(len(GRADES))
                grade = GRADES[grade_index]
                school = rng.choice(by_grade[grade_index])
                first, surname, born = rng.choice(given), last_name, _birth_date(rng, grade_index)
                if namesake and n == namesake[0]:
                    namesake_of[namesake[1]] = (first, surname, born)
                if n in namesake_of:
                    first, surname, born = namesake_of[n]
                users.writerow(
                    (sid, "", "", "true", school, "student", f"s{n}", "", first, surname, "", f"{100000 + n}",
                     f"{sid}@students.example", "", "", ",".join(g for g, _ in guardians), grade, "")
                )  # fmt: skip
                demographics.writerow(
                    (sid, "", "", born.isoformat(), rng.choice(("male", "female")), *([""] * 11))
                )
                for subject in ("HR", *SUBJECTS):
                    class_id = f"{school}-{grade}-{subject}"
                    enrollments.writerow(
                        (f"enr-{sid}-{subject}", "", "", class_id, school, sid, "student", "", begin, end)
                    )
                result.enrollments += 4
                flags = (
                    rng.random() < 0.04,  # directory opt-out
                    rng.random() < 0.004,  # foster care
                    n == missing_child,
                    grade_index >= 7 and rng.random() < 0.004,  # adjudicated
                )
                if any(flags):
                    extension.writerow((sid, "", *("true" if flag else "" for flag in flags), *([""] * 8)))
                result.students += 1
                result.links += len(guardians)
    return result
