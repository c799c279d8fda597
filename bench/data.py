"""Synthetic data for ``manage.py bench``: a county or a province of schools, with years
of history in every app, built through the apps' own models.

Rows are constructed as model instances and the models' own code fills the computed
fields (``ProductionLine.compute_value``, ``BaseYearFinance.compute``,
``EnterpriseYearStat.compute_profit``), then written with ``bulk_create`` in batches.
Nothing here re-states a formula. Random choices are seeded, so a size gives the same
data set every time. The data is clean (plots add up to the declared area, prices and
income move a little from year to year) so that the warnings a page shows are few, as
in a real deployment, while every query still runs over the full tables.

Sizes (the issue's): county = 300 schools x 10 years; province = 15,000 schools x 10
years, 500,000 production lines, 200,000 claims. Smaller ``--schools``/``--years``
scale the lines and claims per school-year the same way.

A province is laid out like a real one (江西省: 11 地级市 of 9-10 counties each): 150 schools
per county, the counties spread in order over ``counties // 9`` cities (at least one), so the
province's 100 counties make 11 cities, one of 10 counties and ten of 9.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseKind, EnterpriseYearStat, EventKind, Ownership, ReformEvent
from insurance.models import (
    Claim,
    ClaimantKind,
    ClaimStatus,
    FundingRule,
    FundingSource,
    IncidentKind,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
)
from labor_bases.models import (
    BaseYearArea,
    BaseYearFinance,
    LaborBase,
    LandParcel,
    LandType,
    ProductionLine,
    StudentPracticeActivity,
    Unit,
    money,
)
from logistics.models import (
    CapitalInvestment,
    CentreYearFigures,
    CustomerKind,
    ExamLodgingProgram,
    ExamSite,
    InvestmentKind,
    SalesLine,
    SchoolService,
    ServiceCentre,
    ServiceKind,
    ServiceMode,
    Shop,
)
from workstudy.models import Region, ReportingYear, Role, School, SchoolKind, Submission, SubmissionStatus

BATCH = 5000
LAST_YEAR = 2024
SCHOOLS_PER_COUNTY = 150
# About nine counties per city, as in 江西省 (100 counties in 11 cities).
COUNTIES_PER_CITY = 9
# The province's proportions: 500,000 lines and 200,000 claims over 15,000 schools x 10 years.
LINES_PER_SCHOOL_YEAR = 500_000 / 150_000
CLAIMS_PER_SCHOOL_YEAR = 200_000 / 150_000

STAFF_USERNAME = "bench_staff"
AUDITOR_USERNAME = "bench_auditor"
PRINCIPAL_USERNAME = "bench_principal"


@dataclass(frozen=True)
class Size:
    name: str
    schools: int
    years: int
    lines: int
    claims: int

    @property
    def first_year(self) -> int:
        return LAST_YEAR - self.years + 1

    @property
    def last_year(self) -> int:
        return LAST_YEAR

    @property
    def counties(self) -> int:
        # A county is one deployment's worth (100-400 schools); a province has ~100 of them.
        return 1 if self.schools <= 400 else math.ceil(self.schools / SCHOOLS_PER_COUNTY)

    @property
    def cities(self) -> int:
        # The province's 100 counties make 11 cities; a county (or a small province) one.
        return max(1, self.counties // COUNTIES_PER_CITY)

    def city_of(self, county: int) -> int:
        """The city (0-based) of the county numbered ``county`` (0-based): the counties in
        order, spread evenly over the cities (sizes differ by one at most)."""
        return county * self.cities // self.counties

    def describe(self) -> str:
        return (f"{self.name}: {self.schools:,} schools, {self.years} years ({self.first_year}-{self.last_year}), "
                f"{self.lines:,} production lines, {self.claims:,} claims, {self.counties} counties"
                f" in {self.cities} {'city' if self.cities == 1 else 'cities'}")


def make_size(name: str, *, schools: int | None = None, years: int | None = None) -> Size:
    defaults = {"county": (300, 10), "province": (15_000, 10)}
    if name not in defaults and (schools is None or years is None):
        raise ValueError(f"unknown size {name!r}")
    schools = schools or defaults[name][0]
    years = years or defaults[name][1]
    return Size(
        name=name, schools=schools, years=years,
        lines=round(schools * years * LINES_PER_SCHOOL_YEAR),
        claims=round(schools * years * CLAIMS_PER_SCHOOL_YEAR),
    )


# ---------------------------------------------------------------------------------------
# Safety: the generator empties the database first.


def database_label() -> str:
    settings_dict = connection.settings_dict
    return str(settings_dict.get("NAME") or "")


def is_scratch_database() -> bool:
    """Only a database whose name says it is for benchmarks may be emptied."""
    return "bench" in database_label().rsplit("/", 1)[-1].lower()


def present_size() -> dict:
    """What the database holds now (to decide whether ``--keep`` can reuse it)."""
    return {
        "schools": School.objects.count(),
        "years": ReportingYear.objects.count(),
        "lines": ProductionLine.objects.count(),
        "claims": Claim.objects.count(),
        "staff": get_user_model().objects.filter(username=STAFF_USERNAME).exists(),
        # The layout: a data set built when every county sat in one city is not reused.
        "counties": School.objects.values("county_id").distinct().count(),
        "cities": School.objects.values("county__parent_id").distinct().count(),
    }


def matches(size: Size) -> bool:
    now = present_size()
    return (now["staff"] and now["schools"] == size.schools and now["years"] == size.years
            and now["lines"] >= size.lines and now["claims"] == size.claims
            and now["counties"] == size.counties and now["cities"] == size.cities)


# ---------------------------------------------------------------------------------------
# Building


PRODUCTS = {
    LandType.GRAIN: [("稻谷", "早稻", Unit.KG, 3), ("稻谷", "晚稻", Unit.KG, 3), ("玉米", "", Unit.KG, 2),
                     ("油菜籽", "", Unit.KG, 6), ("红薯", "", Unit.KG, 2)],
    LandType.ORCHARD: [("桔", "一级", Unit.JIN, 3), ("桔", "二级", Unit.JIN, 2), ("雪梨", "", Unit.JIN, 4),
                       ("脐橙", "", Unit.JIN, 4), ("桃", "", Unit.JIN, 5)],
    LandType.LEI_BAMBOO: [("雷竹笋", "鲜笋", Unit.KG, 8), ("雷竹笋", "笋干", Unit.KG, 60), ("竹苗", "", Unit.PLANT, 5)],
    LandType.TEA: [("茶叶", "一级嫩茶", Unit.KG, 300), ("茶叶", "二级茶", Unit.KG, 40), ("茶叶", "粗茶", Unit.KG, 20)],
    LandType.SLASH_PINE: [("松脂", "", Unit.KG, 9), ("松苗", "", Unit.PLANT, 2), ("木材", "", Unit.PIECE, 80)],
    LandType.BARREN_HILL: [("油茶籽", "", Unit.KG, 12), ("中药材", "", Unit.KG, 30), ("苗木", "", Unit.PLANT, 6)],
    LandType.FISH_POND: [("草鱼", "", Unit.JIN, 9), ("鲢鱼", "", Unit.JIN, 6), ("鱼苗", "", Unit.TAIL, 1)],
    LandType.OTHER: [("蔬菜", "叶菜", Unit.KG, 4), ("蔬菜", "瓜果", Unit.KG, 5), ("食用菌", "", Unit.KG, 15)],
}
CROPS = {LandType.GRAIN: "水稻", LandType.ORCHARD: "桔", LandType.LEI_BAMBOO: "雷竹", LandType.TEA: "茶",
         LandType.SLASH_PINE: "湿地松", LandType.BARREN_HILL: "油茶", LandType.FISH_POND: "草鱼", LandType.OTHER: "蔬菜"}
SURNAMES = "张王李刘陈杨黄吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
GIVEN = "子涵欣怡梓萱宇轩浩然一诺雨桐佳怡俊杰思远明轩语嫣晨曦若曦博文天佑诗琪嘉怡"
PLACES = ["操场", "教室", "教学楼楼梯", "学生食堂", "学生宿舍", "篮球场", "上学途中", "劳动实践基地"]
KINDS = [SchoolKind.PRIMARY, SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.CENTRAL, SchoolKind.NINE_YEAR,
         SchoolKind.COMPLETE, SchoolKind.VOCATIONAL, SchoolKind.AGRI_TECH]


def _d(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _bulk(model, objs: list, *, batch_size: int = BATCH) -> list:
    if not objs:
        return objs
    return model.objects.bulk_create(objs, batch_size=batch_size)


class Generator:
    """Build one size's data set. ``log`` gets a line per step (the command prints it)."""

    def __init__(self, size: Size, *, seed: int = 20240601, log: Callable[[str], None] = print):
        self.size = size
        self.rng = random.Random(seed)
        self.log = log
        self.started = time.perf_counter()
        self.years = list(range(size.first_year, size.last_year + 1))
        self.counts: dict[str, int] = {}

    def _step(self, message: str) -> None:
        self.log(f"  [{time.perf_counter() - self.started:7.1f} s] {message}")

    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # -- the whole run ----------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.log(f"Building {self.size.describe()}")
        self._fast_sqlite()
        with transaction.atomic():
            self._core()
        self._step(f"core: {len(self.schools):,} schools, {len(self.years)} years, submissions, users")
        with transaction.atomic():
            self._bureau_level()
        self._step("insurers, funding rules, policies, enterprises, service centres")
        chunk = 500
        for start in range(0, len(self.schools), chunk):
            with transaction.atomic():
                self._school_chunk(self.schools[start:start + chunk])
            done = min(start + chunk, len(self.schools))
            if done == len(self.schools) or (start // chunk) % 5 == 4:
                self._step(f"schools {done:,}/{len(self.schools):,}: "
                           + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
        with transaction.atomic():
            self._claims()
        self._step(f"claims {self.counts.get('claims', 0):,}")
        from aggregates import maintain  # the rows above were bulk-written: no save kept the sums

        maintain.rebuild()
        self._step("per-school aggregates rebuilt")
        self._analyze()
        self._step("ANALYZE done")
        return self.counts

    def _fast_sqlite(self) -> None:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # -- schools, years, users, submissions ------------------------------------------------
    def _core(self) -> None:
        rng, size = self.rng, self.size
        User = get_user_model()
        # A county is the deployment's county; a province's counties are spread over its cities
        # (第1县..第10县 in 第1市, 第11县.. in 第2市, ...; see ``Size.city_of``).
        if size.counties > 1:
            self.regions = [Region.chain("基准省", f"第{size.city_of(c) + 1}市", f"第{c + 1}县")
                            for c in range(size.counties)]
            reader_region = self.regions[0].parent.parent  # the staff read the whole province
        else:
            self.regions = [Region.default_county()]
            reader_region = self.regions[0]
        self.staff = User(username=STAFF_USERNAME, role=Role.STAFF, is_staff=True, is_director=True,
                          first_name="基准", last_name="主任", region=reader_region)
        self.staff.set_unusable_password()
        self.staff.save()
        self.auditor = User(username=AUDITOR_USERNAME, role=Role.AUDITOR, region=reader_region)
        self.auditor.set_unusable_password()
        self.auditor.save()
        now = timezone.now()
        years = []
        for year in self.years:
            locked = year < size.last_year
            years.append(ReportingYear(
                year=year, status=ReportingYear.Status.LOCKED if locked else ReportingYear.Status.OPEN,
                deadline=dt.date(year + 1, 1, 31), locked_by=self.staff if locked else None,
                locked_at=now if locked else None, data_version=2 if locked else 1,
            ))
        _bulk(ReportingYear, years)
        self.year_objs = {y.year: y for y in years}
        schools, counts = [], []
        for index in range(size.schools):
            county = index // SCHOOLS_PER_COUNTY if size.counties > 1 else 0
            n = index + 1
            kind = KINDS[index % len(KINDS)]
            urban = index % 10 < 3
            students = rng.randint(120, 2400) if urban else rng.randint(60, 1200)
            schools.append(School(
                code=f"B{county + 1:03d}{n:05d}",
                name=f"第{county + 1}县{n}号{kind.label}",
                township=f"第{county + 1}县{(index % SCHOOLS_PER_COUNTY) // 10 + 1}镇",
                kind=kind, area_class="urban" if urban else ("mountain" if index % 10 == 9 else "rural"),
                is_boarding=urban or index % 3 == 0, has_dormitory=urban or index % 3 == 0, has_canteen=True,
                county=self.regions[county],
            ))
            counts.append((max(8, students // 14), students))
        self.schools = _bulk(School, schools)
        # The last year's staff and students per school: they go into each year's Submission only.
        self.base_counts = {school.pk: pair for school, pair in zip(self.schools, counts, strict=True)}
        self.county_of = {s.pk: (i // SCHOOLS_PER_COUNTY if size.counties > 1 else 0) for i, s in enumerate(self.schools)}
        self.principal = User(username=PRINCIPAL_USERNAME, role=Role.PRINCIPAL, school=self.schools[0])
        self.principal.set_unusable_password()
        self.principal.save()
        # Every other school has its principal too (the users page lists them all).
        principals = []
        for school in self.schools[1:]:
            user = User(username=f"p{school.code}", role=Role.PRINCIPAL, school=school)
            user.set_unusable_password()
            principals.append(user)
        _bulk(User, principals)
        submissions = []
        states = [SubmissionStatus.APPROVED] * 4 + [SubmissionStatus.SUBMITTED] * 3 + [SubmissionStatus.DRAFT] * 2 + [
            SubmissionStatus.RETURNED]
        for school in self.schools:
            for year in self.years:
                staff, students = self.base_counts[school.pk]
                students = max(40, round(students * (1 + (year - size.last_year) * 0.01)))
                if year < size.last_year:
                    status = SubmissionStatus.APPROVED
                elif school is self.schools[0]:
                    status = SubmissionStatus.DRAFT  # the bench principal can still write
                else:
                    status = rng.choice(states)
                submitted = status != SubmissionStatus.DRAFT
                submissions.append(Submission(
                    school=school, year_id=year, status=status, staff_count=staff,
                    student_count=students, boarding_count=students // 3 if school.is_boarding else 0,
                    poor_student_count=students // 20,
                    returned_reason="请补充基地收支。" if status == SubmissionStatus.RETURNED else "",
                    submitted_at=now if submitted else None,
                    reviewed_at=now if status in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED) else None,
                    reviewed_by=self.staff if status in (SubmissionStatus.APPROVED, SubmissionStatus.RETURNED) else None,
                ))
                if len(submissions) >= BATCH * 4:
                    self._count("submissions", len(_bulk(Submission, submissions)))
                    submissions = []
        self._count("submissions", len(_bulk(Submission, submissions)))
        self.students = {
            (s.school_id, s.year_id): s.student_count
            for s in Submission.objects.only("school_id", "year_id", "student_count")
        }

    # -- bureau-level rows: insurance set-up, policies, enterprises, logistics -----------------
    def _bureau_level(self) -> None:
        rng, size = self.rng, self.size
        first = size.first_year
        broker = Insurer(name="基准保险经纪有限公司", role=Insurer.Role.BROKER, entrusted_from_year=first,
                         county=self.regions[0])
        insurers = [Insurer(name=f"基准财产保险股份有限公司第{i}分公司", role=Insurer.Role.INSURER, county=self.regions[0])
                    for i in range(1, 4)]
        _bulk(Insurer, [broker, *insurers])
        rules = [
            FundingRule(insurance_type=PolicyType.PROPERTY, from_year=first, allowed_sources=[FundingSource.CITY]),
            FundingRule(insurance_type=PolicyType.LIABILITY, from_year=first, bureau_share_pct=Decimal("50.00"),
                        allowed_sources=[FundingSource.BUREAU_WORKSTUDY, FundingSource.SCHOOL_WORKSTUDY]),
            FundingRule(insurance_type=PolicyType.STUDENT, from_year=first, allowed_sources=[
                FundingSource.PARENT, FundingSource.INSURER_FREE, FundingSource.SCHOOL_ADVANCE]),
        ]
        for rule in rules:
            rule.county = self.regions[0]
        _bulk(FundingRule, rules)
        students_by_county: dict[int, int] = {}
        for school in self.schools:
            c = self.county_of[school.pk]
            students_by_county[c] = students_by_county.get(c, 0) + self.base_counts[school.pk][1]
        # One county-wide policy of each type per county and year; claims are made on them.
        self.policies: dict[tuple[int, int, str], InsurancePolicy] = {}
        policies = []
        for county in range(size.counties):
            insurer = insurers[county % len(insurers)]
            students = students_by_county.get(county, 0)
            for year in self.years:
                for ptype in PolicyType.values:
                    policy = InsurancePolicy(
                        year_id=year, policy_no=f"BP{county + 1:03d}-{year}-{ptype}", policy_type=ptype,
                        insurer=insurer, broker=broker, school=None, county=self.regions[county],
                        coverage_start=dt.date(year, 1, 1), coverage_end=dt.date(year, 12, 31),
                        sum_insured=Decimal("50000000.00") if ptype == PolicyType.PROPERTY else None,
                        per_accident_limit=Decimal("500000.00"),
                        per_person_limit=None if ptype == PolicyType.PROPERTY else Decimal("200000.00"),
                        premium_rate=None if ptype == PolicyType.PROPERTY else Decimal("5.00"),
                        insured_count=None if ptype == PolicyType.PROPERTY else students,
                        premium_total=_d(students * 5 if ptype != PolicyType.PROPERTY else 80000),
                    )
                    policies.append(policy)
                    self.policies[(county, year, ptype)] = policy
        _bulk(InsurancePolicy, policies)
        self._count("policies", len(policies))
        fundings = []
        for policy in policies:
            if policy.policy_type == PolicyType.PROPERTY:
                fundings.append(PremiumFunding(policy=policy, source=FundingSource.CITY, amount=policy.premium_total))
            elif policy.policy_type == PolicyType.LIABILITY:
                half = money(policy.premium_total / 2)
                fundings += [
                    PremiumFunding(policy=policy, source=FundingSource.BUREAU_WORKSTUDY, amount=half),
                    PremiumFunding(policy=policy, source=FundingSource.SCHOOL_WORKSTUDY,
                                   amount=policy.premium_total - half),
                ]
            else:
                fundings.append(PremiumFunding(policy=policy, source=FundingSource.PARENT, amount=policy.premium_total,
                                               persons=policy.insured_count or 0))
        _bulk(PremiumFunding, fundings)
        self._count("premium fundings", len(fundings))

        # Enterprises: five per county, the first sponsored by a school of the county.
        kinds = [EnterpriseKind.UNIFORM, EnterpriseKind.FURNITURE, EnterpriseKind.PAINT, EnterpriseKind.PRINTING,
                 EnterpriseKind.OTHER]
        enterprises = []
        for county in range(size.counties):
            sponsor = self.schools[min(county * SCHOOLS_PER_COUNTY, len(self.schools) - 1)]
            for i, kind in enumerate(kinds):
                enterprises.append(Enterprise(
                    name=f"第{county + 1}县{kind.label}{i + 1}", kind=kind,
                    sponsor_school=sponsor if i == 0 else None, ownership=Ownership.COLLECTIVE if i else Ownership.DIRECT,
                    industry=str(kind.label), founded_year=first - 20, county=self.regions[county],
                ))
        _bulk(Enterprise, enterprises)
        stats, events = [], []
        for enterprise in enterprises:
            revenue = rng.uniform(200_000, 3_000_000)
            events.append(ReformEvent(enterprise=enterprise, date=dt.date(first - 20, 3, 1), kind=EventKind.FOUNDED))
            for year in self.years:
                revenue *= rng.uniform(0.95, 1.1)
                stat = EnterpriseYearStat(
                    enterprise=enterprise, year_id=year, revenue=_d(revenue), cost=_d(revenue * rng.uniform(0.7, 0.9)),
                    tax=_d(revenue * 0.03), employees=rng.randint(10, 180),
                    remitted_to_education=_d(revenue * 0.02), work_study_placements=rng.randint(0, 40),
                )
                profit = stat.compute_profit()  # what save() stores
                stat.profit = profit if profit is not None else Decimal("0.00")
                stats.append(stat)
            year = rng.choice(self.years)
            events.append(ReformEvent(enterprise=enterprise, date=dt.date(year, 6, 1), kind=EventKind.REFORM,
                                      staff_affected=rng.randint(10, 174), year_id=year))
        _bulk(EnterpriseYearStat, stats)
        _bulk(ReformEvent, events)
        self._count("enterprise figures", len(stats))

        # Logistics: a service centre per county with three shops; its exam programme each year.
        centres, shops = [], []
        for county in range(size.counties):
            centres.append(ServiceCentre(name=f"第{county + 1}县学校后勤服务中心", founded_year=first - 5,
                                         exam_lodging_from_year=first, county=self.regions[county]))
        _bulk(ServiceCentre, centres)
        for centre in centres:
            shops += [
                Shop(centre=centre, name="文具店", categories="stationery", opened_year=first - 5),
                Shop(centre=centre, name="体育用品店", categories="sports_equipment,sportswear", opened_year=first - 5),
                Shop(centre=centre, name="综合店", categories="stationery,sports_equipment,sportswear,other",
                     opened_year=first - 3),
            ]
        _bulk(Shop, shops)
        figures, sales, investments = [], [], []
        for centre in centres:
            investments += [
                CapitalInvestment(centre=centre, year=first - 4, kind=InvestmentKind.VEHICLE, amount=Decimal("80000.00")),
                CapitalInvestment(centre=centre, year=first - 2, kind=InvestmentKind.WAREHOUSE_STORE,
                                  amount=Decimal("120000.00")),
            ]
            for year in self.years:
                figures.append(CentreYearFigures(centre=centre, year_id=year, vehicles=1, deliveries=rng.randint(50, 400),
                                                 cost=_d(rng.uniform(100_000, 300_000)),
                                                 remitted_to_education=_d(rng.uniform(10_000, 60_000))))
        centre_shops: dict[int, list[Shop]] = {}
        for shop in shops:
            centre_shops.setdefault(shop.centre_id, []).append(shop)
        for centre in centres:
            for year in self.years:
                for shop in centre_shops[centre.pk]:
                    for category in shop.category_list:
                        for customer in CustomerKind.values:
                            sales.append(SalesLine(centre=centre, year_id=year, shop=shop, category=category,
                                                   customer_kind=customer, amount=_d(rng.uniform(5_000, 90_000))))
        _bulk(CentreYearFigures, figures)
        _bulk(SalesLine, sales)
        _bulk(CapitalInvestment, investments)
        self._count("sales lines", len(sales))
        hosts_by_county: dict[int, list[School]] = {}
        for school in self.schools:
            if school.has_dormitory and school.has_canteen and school.area_class == "urban":
                hosts_by_county.setdefault(self.county_of[school.pk], []).append(school)
        # 中考食宿保障: one programme per county and year, run by the county's centre at up to
        # three of its urban boarding schools (the random draws in the order year, county, host).
        programs, sites = [], []
        for year in self.years:
            for county in range(size.counties):
                hosts = hosts_by_county.get(county, [])[:3]
                if not hosts:
                    continue
                centre = centres[county]
                program = ExamLodgingProgram(
                    year_id=year, operator=centre, county=centre.county, candidates_lodged=0, beds=0, meals=0,
                    fee_per_candidate=Decimal("150.00"), revenue=Decimal("0"), cost=Decimal("0"),
                    family_cost_before=Decimal("600.00"), family_cost_after=Decimal("150.00"))
                program_sites = []
                for host in hosts:
                    candidates = rng.randint(80, 300)
                    program_sites.append(ExamSite(program=program, host_school=host, candidates=candidates,
                                                  beds=candidates + rng.randint(0, 20)))
                program.candidates_lodged = sum(s.candidates for s in program_sites)
                program.beds = sum(s.beds for s in program_sites)
                program.meals = program.candidates_lodged * 9
                program.revenue = program.fee_per_candidate * program.candidates_lodged
                program.cost = money(program.revenue * Decimal("0.8"))
                programs.append(program)
                sites.append(program_sites)
        _bulk(ExamLodgingProgram, programs)
        flat_sites = []
        for program, program_sites in zip(programs, sites, strict=True):
            for site in program_sites:
                site.program = program
                flat_sites.append(site)
        _bulk(ExamSite, flat_sites)
        self._count("exam sites", len(flat_sites))

    # -- per-school rows, built a chunk of schools at a time ---------------------------------
    def _school_chunk(self, schools: list[School]) -> None:
        rng, size = self.rng, self.size
        total_school_years = size.schools * size.years
        bases, plans = [], {}
        for school in schools:
            n_types = rng.choice((1, 2, 2, 3))
            types = rng.sample([t for t in LandType.values if t != LandType.OTHER], n_types)
            areas = [_d(rng.uniform(2, 60)) for _ in types]
            plans[school.pk] = list(zip(types, areas, strict=True))
            bases.append(LaborBase(school=school, name=f"{school.name}劳动实践基地", location=school.township,
                                   established_year=size.first_year - rng.randint(0, 30)))
        _bulk(LaborBase, bases)
        self._count("bases", len(bases))
        declared = {school.pk: sum(area for _t, area in plans[school.pk]) for school in schools}
        _bulk(BaseYearArea, [BaseYearArea(base=base, year_id=year, declared_total_mu=declared[base.school_id])
                             for base in bases for year in self.years])
        parcels = []
        for base in bases:
            for year in self.years:
                for land_type, area in plans[base.school_id]:
                    parcels.append(LandParcel(base=base, year_id=year, land_type=land_type, crop=CROPS[land_type],
                                              area_mu=area))
        _bulk(LandParcel, parcels)
        self._count("plots", len(parcels))
        parcel_of = {(p.base_id, p.year_id, p.land_type): p for p in parcels}
        # Production lines: the province's 500,000 spread evenly over base-years.
        lines, totals = [], {}
        for base in bases:
            offerings = [(lt, product) for lt, _a in plans[base.school_id] for product in PRODUCTS[lt]]
            scale = {o[1][0] + o[1][1]: rng.uniform(50, 800) for o in offerings}
            for year in self.years:
                share = self._lines_for(base, year, total_school_years)
                picks = offerings if share >= len(offerings) else rng.sample(offerings, share)
                for k in range(share):
                    land_type, (product, grade, unit, price) = picks[k % len(picks)]
                    grade_text = grade if k < len(picks) else f"{grade}批次{k // len(picks) + 1}"
                    line = ProductionLine(
                        base=base, year_id=year, parcel=parcel_of[(base.pk, year, land_type)], product=product,
                        grade=grade_text, quantity=_d(scale[product + grade] * rng.uniform(0.9, 1.1)), unit=unit,
                        unit_price=_d(price * rng.uniform(0.9, 1.1)),
                    )
                    line.value = line.compute_value()  # what save() stores
                    totals[(base.pk, year)] = totals.get((base.pk, year), Decimal("0")) + line.value
                    lines.append(line)
            if len(lines) >= BATCH * 4:
                self._count("production lines", len(_bulk(ProductionLine, lines)))
                lines = []
        self._count("production lines", len(_bulk(ProductionLine, lines)))
        finances = []
        # BaseYearFinance.compute() sums the lines with one query per row; here the sums are
        # the lines just built, handed to the model's own compute() through production_value_of.
        with mock.patch.object(BaseYearFinance, "production_value_of",
                               staticmethod(lambda base_id, year_id: money(totals.get((base_id, year_id), 0)))):
            for base in bases:
                for year in self.years:
                    income = totals.get((base.pk, year), Decimal("0"))
                    finance = BaseYearFinance(
                        base=base, year_id=year, other_income=_d(rng.uniform(0, 3000)),
                        seedling_cost=money(income * Decimal("0.10")), fertilizer_cost=money(income * Decimal("0.12")),
                        labor_cost=money(income * Decimal("0.15")), equipment_cost=_d(rng.uniform(0, 2000)),
                        other_cost=_d(rng.uniform(0, 1000)), remitted_to_school=money(income * Decimal("0.2")),
                    )
                    finance.compute()
                    finances.append(finance)
        _bulk(BaseYearFinance, finances)
        self._count("finances", len(finances))
        activities, coverages, services = [], [], []
        for school in schools:
            base = next((b for b in bases if b.school_id == school.pk), None)
            for year in self.years:
                students = self.students.get((school.pk, year), self.base_counts[school.pk][1])
                if school.pk % 3 == 0:
                    activities.append(StudentPracticeActivity(school=school, year_id=year, base=base,
                                                              activity=rng.choice(["采茶", "插秧", "收割", "摘桔", "喂鱼"]),
                                                              participants=rng.randint(20, 400), days=rng.randint(1, 5)))
                poor = students // 20
                free = poor // 2
                advanced = poor - free
                parent_paid = min(students - poor, int(students * rng.uniform(0.5, 0.9)))
                coverages.append(StudentAccidentCoverage(
                    school=school, year_id=year, insured_parent_paid=parent_paid,
                    poor_free_by_insurer=free, poor_advanced_by_school=advanced,
                    advance_amount=Decimal(advanced * 50), voluntary_consent_recorded=True,
                ))
                services.append(SchoolService(school=school, year_id=year, kind=ServiceKind.CANTEEN, name="学生食堂",
                                              mode=ServiceMode.SELF_RUN))
                if school.has_dormitory:
                    services.append(SchoolService(school=school, year_id=year, kind=ServiceKind.SHOP, name="校园超市",
                                                  mode=ServiceMode.CONTRACTED, operator="个体经营户"))
        _bulk(StudentPracticeActivity, activities)
        _bulk(StudentAccidentCoverage, coverages)
        _bulk(SchoolService, services)
        self._count("activities", len(activities))
        self._count("coverages", len(coverages))
        self._count("school services", len(services))

    def _lines_for(self, base, year, total_school_years: int) -> int:
        """How many production lines this base-year gets so that the total is exactly ``size.lines``."""
        index = self._line_slot = getattr(self, "_line_slot", -1) + 1
        before = index * self.size.lines // total_school_years
        after = (index + 1) * self.size.lines // total_school_years
        return after - before

    # -- claims on the county-wide policies --------------------------------------------------
    def _claims(self) -> None:
        rng, size = self.rng, self.size
        per_year = {year: 0 for year in self.years}
        claims = []
        statuses_past = [ClaimStatus.PAID] * 8 + [ClaimStatus.REJECTED]
        statuses_now = [ClaimStatus.PAID] * 4 + [ClaimStatus.REVIEWING, ClaimStatus.DOCS_COMPLETE, ClaimStatus.REPORTED]
        for index in range(size.claims):
            year = self.years[index * len(self.years) // size.claims]
            # The first claim of each year is the bench principal's school: its claim pages
            # then list rows at every size, so their query counts compare like with like.
            school = self.schools[0] if per_year[year] == 0 else self.schools[rng.randrange(len(self.schools))]
            county = self.county_of[school.pk]
            ptype = rng.choices(PolicyType.values, weights=(1, 3, 6))[0]
            policy = self.policies[(county, year, ptype)]
            incident = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
            reported = incident + dt.timedelta(days=rng.randrange(0, 5))
            status = rng.choice(statuses_now if year == size.last_year else statuses_past)
            requested = _d(rng.uniform(200, 20_000))
            assessed = paid = paid_date = docs = review = rejected = None
            reason = ""
            if status in (ClaimStatus.DOCS_COMPLETE, ClaimStatus.REVIEWING, ClaimStatus.PAID, ClaimStatus.REJECTED):
                docs = reported + dt.timedelta(days=rng.randrange(1, 10))
            if status in (ClaimStatus.REVIEWING, ClaimStatus.PAID, ClaimStatus.REJECTED):
                review = docs + dt.timedelta(days=rng.randrange(1, 10))
            if status == ClaimStatus.PAID:
                assessed = money(requested * Decimal(str(round(rng.uniform(0.6, 1.0), 2))))
                paid = assessed
                paid_date = review + dt.timedelta(days=rng.randrange(1, 20))
            if status == ClaimStatus.REJECTED:
                rejected = review + dt.timedelta(days=rng.randrange(1, 20))
                reason = "不属于保险责任范围。"
            person = ptype != PolicyType.PROPERTY
            kind = (ClaimantKind.STUDENT if rng.random() < 0.9 else ClaimantKind.STAFF) if person else ClaimantKind.SCHOOL
            per_year[year] += 1
            claims.append(Claim(
                claim_no=f"LP{year}-{per_year[year]:05d}", school=school, policy=policy, year_id=year,
                claimant_kind=kind,
                injured_name=(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)) if person else "",
                injured_id_number=f"3623{rng.randrange(10**13):013d}X" if person else "",
                incident_date=incident, place=rng.choice(PLACES),
                incident_kind=rng.choice(IncidentKind.values) if person else IncidentKind.DISASTER,
                cause="课间活动时摔伤" if person else "暴雨导致围墙倒塌", persons=1 if person else 0,
                requested_amount=requested, assessed_amount=assessed, paid_amount=paid, status=status,
                reject_reason=reason, reported_date=reported, documents_date=docs, review_date=review,
                paid_date=paid_date, rejected_date=rejected,
            ))
            if len(claims) >= BATCH * 4:
                self._count("claims", len(_bulk(Claim, claims)))
                claims = []
        self._count("claims", len(_bulk(Claim, claims)))


def wipe(log: Callable[[str], None] = print) -> None:
    """Empty every table (``flush``); refuses unless the database is a scratch bench database."""
    if not is_scratch_database():
        raise RuntimeError(
            f"refusing to empty database {database_label()!r}: its name must contain 'bench' "
            "(e.g. var/bench.sqlite3 or postgres://.../workstudy_bench)"
        )
    start = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    log(f"  emptied {database_label()} in {time.perf_counter() - start:.1f} s")


def build(size: Size, *, log: Callable[[str], None] = print, seed: int = 20240601) -> dict[str, int]:
    wipe(log)
    return Generator(size, log=log, seed=seed).run()
