"""The demo county (贵溪市), with its own schools and figures, in its region (江西省 → 鹰潭市), plus two
more counties of the same city (余江区, 月湖区) with a few synthetic schools each. Used by
``load_demo``.

Every function here is idempotent: rows are looked up by natural keys and updated.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from . import locks, scoping
from .models import CountyLock, Region, ReportingYear, Role, School, Submission, SubmissionStatus
from .signals import year_reopened

DEMO_PASSWORD = "workstudy-demo"
DEMO_YEARS = (2021, 2022, 2023, 2024)
CURRENT_YEAR = 2024
PROVINCE, CITY, COUNTY = "江西省", "鹰潭市", "贵溪市"

# The other counties of the demo city: code, name, township, kind, area, boarding, staff, students.
# Synthetic schools (not from the seed), with a principal each and data for the current year.
OTHER_COUNTIES = {
    "余江区": [
        ("YJ001", "余江区锦江中学", "锦江镇", "junior", "urban", True, 68, 1120),
        ("YJ002", "余江区中童中心小学", "中童镇", "central", "rural", False, 32, 480),
        ("YJ003", "余江区潢溪中学", "潢溪镇", "junior", "rural", True, 41, 620),
        ("YJ004", "余江区马荃中心学校", "马荃镇", "central", "mountain", True, 23, 290),
    ],
    "月湖区": [
        ("YH001", "月湖区第一小学", "东湖街道", "primary", "urban", False, 88, 2050),
        ("YH002", "月湖区童家中学", "童家镇", "junior", "rural", True, 39, 560),
        ("YH003", "月湖区四青中心小学", "四青街道", "central", "urban", False, 35, 610),
    ],
}
# How the other counties' current-year returns stand (by position in the county's list).
OTHER_STATES = (SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def demo_county() -> Region:
    return Region.chain(PROVINCE, CITY, COUNTY)


def place_in_county(obj) -> None:
    """A demo row of a bureau-level model belongs to a county: a school's to its school's, every
    other to the demo county (贵溪市). Rows that reach their county through a school or a parent
    row need nothing."""
    if scoping.county_path(type(obj)) != "county" or getattr(obj, "county_id", None) is not None:
        return
    school = scoping.school_of(obj)
    obj.county = school.county if school is not None else demo_county()

# code, name, township, kind, area_class, boarding, dormitory, canteen, staff, students
SCHOOLS = [
    ("GX001", "樟坪中心学校", "樟坪畲族乡", "central", "mountain", True, True, True, 13, 106),
    ("GX002", "周坊中学", "周坊镇", "junior", "rural", True, True, True, 60, 1046),
    ("GX003", "鸿塘中学", "鸿塘镇", "junior", "rural", True, True, True, 48, 812),
    ("GX004", "塔桥中小学", "塔桥园艺场", "nine_year", "rural", False, False, True, 35, 520),
    ("GX005", "贵溪市职业中学", "雄石街道", "vocational", "urban", True, True, True, 120, 1850),
    ("GX006", "贵溪市实验小学", "雄石街道", "primary", "urban", False, False, True, 95, 2300),
    ("GX007", "贵溪市农业技术学校", "雄石街道", "agri_tech", "urban", True, True, True, 42, 460),
    ("GX008", "贵溪市第一中学", "雄石街道", "complete", "urban", True, True, True, 210, 3200),
    ("GX009", "贵溪市第二中学", "东门街道", "complete", "urban", True, True, True, 160, 2600),
    ("GX010", "贵溪市第三中学", "花园街道", "junior", "urban", True, True, True, 130, 2100),
    ("GX011", "泗沥中学", "泗沥镇", "junior", "rural", True, True, True, 52, 780),
    ("GX012", "河潭中心小学", "河潭镇", "central", "rural", False, False, True, 38, 640),
    ("GX013", "耳口中心学校", "耳口乡", "central", "mountain", True, True, True, 26, 310),
    ("GX014", "塘湾中学", "塘湾镇", "junior", "rural", True, True, True, 44, 690),
    ("GX015", "志光中心小学", "志光镇", "central", "rural", False, False, True, 30, 450),
    ("GX016", "流口中学", "流口镇", "junior", "rural", True, True, True, 40, 600),
    ("GX017", "罗河中心小学", "罗河镇", "central", "rural", False, False, False, 28, 410),
    ("GX018", "金屯中学", "金屯镇", "junior", "rural", True, True, True, 36, 520),
    ("GX019", "文坊中心学校", "文坊镇", "central", "mountain", True, True, True, 24, 280),
    ("GX020", "冷水中心学校", "冷水镇", "central", "mountain", True, True, True, 22, 240),
    ("GX021", "白田中心小学", "白田乡", "central", "rural", False, False, True, 25, 360),
    ("GX022", "彭湾中心学校", "彭湾乡", "central", "rural", True, True, True, 27, 330),
    ("GX023", "滨江中学", "滨江镇", "junior", "rural", True, True, True, 46, 720),
    ("GX024", "天禄中心小学", "天禄镇", "central", "rural", False, False, True, 29, 430),
    ("GX025", "雷溪中心小学", "雷溪镇", "central", "rural", False, False, True, 31, 470),
    ("GX026", "上清中学", "上清镇", "junior", "mountain", True, True, True, 34, 500),
    ("GX027", "双圳中心小学", "双圳林场", "primary", "mountain", False, False, False, 12, 150),
]

# Growth of staff/student counts by year (students vary a little from year to year).
STUDENT_DRIFT = {2021: -0.04, 2022: -0.02, 2023: -0.01, 2024: 0.0}

# How the 2024 submissions stand in the demo: most approved, a few at each other step.
STATES_2024 = {
    "GX001": SubmissionStatus.DRAFT,  # the demo principal's school: still to fill in and submit
    "GX003": SubmissionStatus.SUBMITTED,
    "GX011": SubmissionStatus.SUBMITTED,
    "GX013": SubmissionStatus.RETURNED,
    "GX017": SubmissionStatus.DRAFT,
    "GX027": SubmissionStatus.DRAFT,
}


RETURN_REASON = "基地面积与上年相比减少较多，请核对茶园面积后重新上报。"


# 2024's staff and student counts by school code (the other years drift from these). They
# are written only into each year's Submission: a school's counts are yearly facts.
BASE_COUNTS = {row[0]: (row[8], row[9]) for row in SCHOOLS}


def load_schools() -> dict[str, School]:
    schools = {}
    county = demo_county()
    for code, name, township, kind, area, boarding, dorm, canteen, _staff, _students in SCHOOLS:
        school, _ = School.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name, township=township, kind=kind, area_class=area, is_boarding=boarding,
                has_dormitory=dorm, has_canteen=canteen, active=True, county=county,
            ),
        )
        schools[code] = school
    return schools


def load_users(schools: dict[str, School]):
    User = get_user_model()
    county = demo_county()
    city, province = county.parent, county.parent.parent
    specs = [
        ("staff", "王主任", Role.STAFF, None, True, True, county),
        ("clerk", "李经办", Role.STAFF, None, False, True, county),
        ("principal", "钟校长", Role.PRINCIPAL, schools["GX001"], False, False, None),
        ("principal2", "周校长", Role.PRINCIPAL, schools["GX002"], False, False, None),
        ("auditor", "审计科", Role.AUDITOR, None, False, False, county),
        # Above the county: they read their counties' data and change nothing (for now).
        ("city", "鹰潭市教育局勤工办", Role.STAFF, None, True, True, city),
        ("province", "江西省教育厅勤工办", Role.STAFF, None, True, True, province),
    ]
    users = {}
    for username, name, role, school, director, is_staff, region in specs:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults=dict(first_name=name, role=role, school=school, is_director=director, is_staff=is_staff,
                          is_active=True, region=region),
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def load_years_and_submissions(schools: dict[str, School]):
    for year in DEMO_YEARS:
        year_obj, _ = ReportingYear.objects.get_or_create(year=year)
        # Unlock while loading so app data can be (re)written; final states are set afterwards.
        # An earlier load's lock is reopened as on the 年度 page: its documents are kept,
        # superseded (the lock again issues the current ones), its kept summary follows the data.
        if locks.shared_locked(year_obj):
            year_reopened.send(sender=ReportingYear, year=year_obj, user=None, county=None, was_whole=True)
        ReportingYear.objects.filter(pk=year).update(status=ReportingYear.Status.OPEN, locked_by=None, locked_at=None,
                                                     county_locked=False)
        CountyLock.objects.filter(year_id=year).delete()
        for code, school in schools.items():
            drift = STUDENT_DRIFT[year]
            staff, students = BASE_COUNTS[code]
            students = round(students * (1 + drift))
            Submission.objects.update_or_create(
                school=school, year_id=year,
                defaults=dict(
                    staff_count=staff,
                    student_count=students,
                    boarding_count=round(students * 0.6) if school.is_boarding else 0,
                    poor_student_count=max(1, round(students * 0.08)),
                    status=SubmissionStatus.DRAFT,
                ),
            )
    # The demo principal's school starts 2024 with its counts still to enter.
    Submission.objects.filter(school=schools["GX001"], year_id=2024).update(
        staff_count=None, student_count=None, boarding_count=None, poor_student_count=None
    )


# The day of January each demo year was locked (the year after).
LOCK_DAY = {2021: 20, 2022: 19, 2023: 22}


def _local(year, month, day, hour):
    from django.utils import timezone

    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def finish_states(users, schools):
    """Set the workflow states the demo shows: 2021-2023 approved and locked, 2024 mixed."""
    from django.utils import timezone

    director = users["staff"]
    for year in DEMO_YEARS:
        # A past year was submitted in December and reviewed in early January, before its lock.
        submitted = timezone.now() if year == 2024 else _local(year, 12, 15, 9)
        reviewed = timezone.now() if year == 2024 else _local(year + 1, 1, 10, 15)
        for code, school in schools.items():
            state = STATES_2024.get(code, SubmissionStatus.APPROVED) if year == 2024 else SubmissionStatus.APPROVED
            Submission.objects.filter(school=school, year_id=year).update(
                status=state,
                returned_reason=RETURN_REASON if state == SubmissionStatus.RETURNED else "",
                submitted_at=submitted if state != SubmissionStatus.DRAFT else None,
                reviewed_at=reviewed if state in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED) else None,
                reviewed_by=director if state in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED) else None,
            )
        if year != CURRENT_YEAR and not locks.is_locked(ReportingYear.objects.get(pk=year), demo_county()):
            _lock_past_year(year, director)


def _lock_past_year(year: int, director) -> None:
    """Lock a past year as the demo county's director would on the 年度 page
    (:func:`workstudy.services.year_lock`), the January after: the county's lock, and the year's
    own since the demo's other counties have no return before the current year (so 贵溪市 is
    the only county with schools in it). What a lock does to the documents (the county's summary
    kept, its PDF and the school sheets issued and dated with the lock) happens as on that page."""
    from . import services

    services.year_lock(user=director, year=ReportingYear.objects.get(pk=year),
                       at=_local(year + 1, 1, LOCK_DAY[year], 10))


def load_other_counties() -> dict[str, School]:
    """余江区 and 月湖区: a few synthetic schools each, a principal for every school (username
    the school's code in lower case), a labor base and the current year's return. They joined
    the portal in the current year: no return of theirs in the past years, which 贵溪市's lock
    alone locks (:func:`finish_states`), and 贵溪市's figures are its own schools' whatever these
    counties enter."""
    from labor_bases.models import LaborBase

    User = get_user_model()
    loaded = {}
    for county_name, rows in OTHER_COUNTIES.items():
        county = Region.chain(PROVINCE, CITY, county_name)
        for index, (code, name, township, kind, area, boarding, staff, students) in enumerate(rows):
            school, _ = School.objects.update_or_create(
                code=code,
                defaults=dict(name=name, township=township, kind=kind, area_class=area, is_boarding=boarding,
                              has_dormitory=boarding, has_canteen=True, active=True, county=county),
            )
            loaded[code] = school
            user, _ = User.objects.update_or_create(
                username=code.lower(),
                defaults=dict(first_name=f"{name}校长", role=Role.PRINCIPAL, school=school, region=None,
                              is_director=False, is_staff=False, is_active=True),
            )
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if not LaborBase.objects.filter(school=school).exists():
                LaborBase.objects.create(school=school, name=f"{name}劳动实践基地", location=township)
            state = OTHER_STATES[index % len(OTHER_STATES)]
            Submission.objects.update_or_create(
                school=school, year_id=CURRENT_YEAR,
                defaults=dict(
                    staff_count=staff, student_count=students,
                    boarding_count=round(students * 0.5) if boarding else 0,
                    poor_student_count=max(1, round(students * 0.07)),
                    status=state,
                    returned_reason=RETURN_REASON if state == SubmissionStatus.RETURNED else "",
                ),
            )
    return loaded
