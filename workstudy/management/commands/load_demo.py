"""Load the demo: the demo county 贵溪市 (schools, years 2021-2024, users and every app's demo
data), the city's two other counties 余江区 and 月湖区 (a few synthetic schools each, with a
principal and a 2024 return each), and the city and province above them with their users.
``--only-county`` leaves the other two counties out (a deployment of one county). 贵溪市's
figures are the same either way: its summary counts its own schools only; the whole
deployment's counts the other counties too. Running it twice leaves the same data."""

import argparse
import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from workstudy import demo

# Apps whose ``demo.load(schools=..., users=...)`` adds their data, in this order.
DEMO_APPS = ["enterprises", "labor_bases", "logistics", "labor_education", "statreturn", "insurance", "reports"]


class Command(BaseCommand):
    help = "Load the demo: 贵溪市, 余江区 and 月湖区 of 鹰潭市, 江西省 (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--only-county", action="store_true",
                            help="load 贵溪市 alone, without 余江区 and 月湖区")
        # Accepted as before, when the other counties were not loaded by default.
        parser.add_argument("--other-counties", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, only_county=False, **options):
        with transaction.atomic():
            schools = demo.load_schools()
            users = demo.load_users(schools)
            demo.load_years_and_submissions(schools)
            # Before the past years are locked: a lock keeps 贵溪市's summary as it reads then,
            # with its place among the city's counties.
            others = {} if only_county else demo.load_other_counties()
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.load(schools=schools, users=users)
            demo.finish_states(users, schools)
            importlib.import_module("upward.demo").load(schools=schools, users=users)  # after the states
        counties = "贵溪市" if only_county else "贵溪市、" + "、".join(demo.OTHER_COUNTIES)
        self.stdout.write(self.style.SUCCESS("演示数据已载入：%s %s，%d 所学校，%s-%s 年度。" % (
            demo.CITY, counties, len(schools) + len(others), demo.DEMO_YEARS[0], demo.CURRENT_YEAR)))
        self.stdout.write("演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD)
        self.stdout.write("  staff      贵溪市勤工办主任（可审核、锁定年度）")
        self.stdout.write("  clerk      贵溪市勤工办经办人")
        self.stdout.write("  principal  樟坪中心学校校长")
        self.stdout.write("  principal2 周坊中学校长")
        self.stdout.write("  auditor    贵溪市审计（只读，下载年度总结 PDF）")
        self.stdout.write("  city       鹰潭市勤工办（只读：下辖县区的数据）")
        self.stdout.write("  province   江西省勤工办（只读：全省的数据）")
        for county, rows in demo.OTHER_COUNTIES.items():
            codes = [row[0].lower() for row in rows if row[0] in others]
            if codes:
                self.stdout.write("  %s…%s  %s各校校长（%d 所学校，%s 年度起填报）"
                                  % (codes[0], codes[-1], county, len(codes), demo.CURRENT_YEAR))
