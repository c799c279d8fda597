"""Load-test data: the demo county plus one school per load-test principal, built with the
apps' own models, and the bureau users who review and audit.

Run by scripts/loadtest/run.py after ``migrate`` and ``load_demo`` on the scratch database
(its name must contain "loadtest"). Each load-test school gets, for the open year: a draft
Submission with its counts filled in, one labor base with its declared area, one plot, one
production line and the base's accounts with costs (so it can be submitted). Every load-test
user shares one password, hashed once.

Usage: python scripts/loadtest/build_data.py --principals 300 --staff 10 --auditors 5 --out users.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from labor_bases.models import (  # noqa: E402
    BaseYearArea,
    BaseYearFinance,
    LaborBase,
    LandParcel,
    LandType,
    ProductionLine,
    Unit,
)
from workstudy.demo import demo_county  # noqa: E402
from workstudy.models import ReportingYear, Role, School, Submission, SubmissionStatus, User  # noqa: E402

PASSWORD = "loadtest-portal-2024"
CODE_PREFIX = "LT"
# The seeded rows each load-test school starts with (verify.py reads the same constants).
SEED_AREA = Decimal("10.00")
SEED_QUANTITY = Decimal("1000.00")
SEED_PRICE = Decimal("3.00")
SEED_COSTS = dict(seedling_cost=Decimal("300.00"), fertilizer_cost=Decimal("200.00"), labor_cost=Decimal("500.00"))


def school_code(n: int) -> str:
    return f"{CODE_PREFIX}{n:03d}"


def build(principals: int, staff: int, auditors: int) -> dict:
    name = connection.settings_dict["NAME"]
    if "loadtest" not in str(name):
        raise SystemExit(f"refusing to write load-test data into database {name!r} (its name must contain 'loadtest')")
    year = ReportingYear.objects.filter(status=ReportingYear.Status.OPEN).order_by("-year").first()
    if year is None:
        raise SystemExit("no open reporting year: load the demo first")
    if School.objects.filter(code__startswith=CODE_PREFIX).exists():
        raise SystemExit("load-test schools exist already: start from a fresh database")
    # The demo county's: its staff review them and its summary counts them.
    county = demo_county()
    password = make_password(PASSWORD)
    with transaction.atomic():
        schools = School.objects.bulk_create(
            [
                School(
                    code=school_code(n),
                    name=f"负载测试第{n}学校",
                    township="负载测试镇",
                    kind="junior",
                    area_class="rural",
                    has_canteen=True,
                    county=county,
                )
                for n in range(1, principals + 1)
            ]
        )
        User.objects.bulk_create(
            [
                User(
                    username=f"lt_principal{n:03d}",
                    first_name=f"测试校长{n}",
                    role=Role.PRINCIPAL,
                    school=school,
                    password=password,
                )
                for n, school in enumerate(schools, 1)
            ]
            + [
                User(
                    username=f"lt_staff{n:02d}",
                    first_name=f"测试主任{n}",
                    role=Role.STAFF,
                    is_staff=True,
                    is_director=True,
                    region=county,
                    password=password,
                )
                for n in range(1, staff + 1)
            ]
            + [
                User(username=f"lt_auditor{n:02d}", first_name=f"测试审计{n}", role=Role.AUDITOR,
                     region=county, password=password)
                for n in range(1, auditors + 1)
            ]
        )
        Submission.objects.bulk_create(
            [
                Submission(
                    school=school,
                    year=year,
                    status=SubmissionStatus.DRAFT,
                    staff_count=30,
                    student_count=500,
                    boarding_count=0,
                    poor_student_count=20,
                )
                for school in schools
            ]
        )
        bases = LaborBase.objects.bulk_create(
            [
                LaborBase(school=school, name=f"{school.name}劳动实践基地", location="负载测试镇", established_year=2010)
                for school in schools
            ]
        )
        BaseYearArea.objects.bulk_create([BaseYearArea(base=b, year=year, declared_total_mu=SEED_AREA) for b in bases])
        parcels = LandParcel.objects.bulk_create(
            [LandParcel(base=b, year=year, land_type=LandType.GRAIN, crop="水稻", area_mu=SEED_AREA) for b in bases]
        )
        lines = [
            ProductionLine(
                base=b,
                year=year,
                parcel=p,
                product="稻谷",
                grade="一级",
                quantity=SEED_QUANTITY,
                unit=Unit.KG,
                unit_price=SEED_PRICE,
            )
            for b, p in zip(bases, parcels, strict=True)
        ]
        ProductionLine.bulk_prepare(lines)
        ProductionLine.objects.bulk_create(lines)
        finances = []
        for base in bases:
            finance = BaseYearFinance(base=base, year=year, **SEED_COSTS)
            finance.compute(production_value=SEED_QUANTITY * SEED_PRICE)
            finances.append(finance)
        BaseYearFinance.objects.bulk_create(finances)
    return {
        "year": year.year,
        "password": PASSWORD,
        "principals": [
            {
                "username": f"lt_principal{n:03d}",
                "school": school.code,
                "school_id": school.pk,
                "plot": parcel.pk,
                "line": line.pk,
                "base": base.name,
            }
            for n, (school, base, parcel, line) in enumerate(zip(schools, bases, parcels, lines, strict=True), 1)
        ],
        "staff": [f"lt_staff{n:02d}" for n in range(1, staff + 1)],
        "auditors": [f"lt_auditor{n:02d}" for n in range(1, auditors + 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principals", type=int, default=300)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--auditors", type=int, default=5)
    parser.add_argument("--out", required=True, help="where to write the users and their rows (JSON)")
    args = parser.parse_args()
    users = build(args.principals, args.staff, args.auditors)
    Path(args.out).write_text(json.dumps(users, ensure_ascii=False, indent=1))
    print(
        f"load-test data: {args.principals} schools with principals, {args.staff} staff, {args.auditors} auditors, "
        f"year {users['year']}"
    )


if __name__ == "__main__":
    main()
