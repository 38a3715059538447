"""A small, valid OneRoster 1.1 bundle for tests, written into a folder with any file replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

# <repo>/src/brightline/roster/tests/bundles.py: in CI the repo is a fresh clone with shared/ beside it.
SHARED_BUNDLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "oneroster"


def shared_bundle(name: str) -> Path:
    path = SHARED_BUNDLES / name
    if not path.is_dir():
        pytest.skip(
            f"the shared OneRoster sample bundles are not beside the repository ({SHARED_BUNDLES.resolve()})"
        )
    return path


MANIFEST = """propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.orgs,bulk
file.users,bulk
file.enrollments,bulk
file.demographics,bulk
file.classes,absent
"""

ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,,,Demo District,district,,
s1,,,Adams Elementary,school,0101,d1
s2,,,Lincoln High,school,0202,d1
"""

USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
)
USERS = (
    USERS_HEADER
    + """stu1,,,true,s2,student,jng,,José,Núñez-García,Luis,S-1001,,,,par1,10,
stu2,,,true,s1,student,zob,,Zoë,O'Brien,,S-1002,,,,"par1,par2",03,
par1,,,true,s1,parent,,,Maria,Núñez,,,maria@example.org,,555-0100,"stu1,stu2",,
par2,,,true,s1,guardian,,,Ahmed,Hassan,,,,,,stu2,,
t1,,,true,s2,teacher,,,Pat,Teacher,,,,,,,,
"""
)

ENROLLMENTS = """sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e1,,,c1,s2,stu1,student,,2025-09-02,2026-06-19
e2,,,c2,s1,stu2,student,,2025-09-02,2026-06-19
e3,,,c1,s2,t1,teacher,true,2025-09-02,2026-06-19
"""

DEMOGRAPHICS_HEADER = (
    "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,"
    "nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,"
    "countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n"
)
# Place of birth and residence status that must never reach the database.
BIRTH_CITY = "Xochitepec-Birthplace"
RESIDENCE_STATUS = "03652-residence"
DEMOGRAPHICS = (
    DEMOGRAPHICS_HEADER
    + f"""stu1,,,2011-04-02,male,false,false,false,false,false,false,true,MX,MOR,{BIRTH_CITY},{RESIDENCE_STATUS}
stu2,,,2016-11-30,female,false,false,false,false,true,false,false,,,,
"""
)

EXTENSION = """sourcedId,studentSourcedId,directoryOptOut,fosterCare,missingChildFlag,adjudicated,preferredLanguage,hasNoticeRights,isCustodial
stu1,,true,,,,,,
stu2,,,true,,,,,
par1,,,,,,es,,
par2,stu2,,,,,,false,false
"""

FILES = {
    "manifest.csv": MANIFEST,
    "orgs.csv": ORGS,
    "users.csv": USERS,
    "enrollments.csv": ENROLLMENTS,
    "demographics.csv": DEMOGRAPHICS,
    "brightline_extension.csv": EXTENSION,
}


def write_bundle(directory: Path, **replace: str | bytes | None) -> Path:
    """Write the test bundle into `directory`; keyword `users_csv="..."` replaces users.csv, None drops it."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = dict(FILES)
    for key, content in replace.items():
        files[key.replace("_csv", ".csv")] = content
    for name, content in files.items():
        if content is None:
            continue
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory
