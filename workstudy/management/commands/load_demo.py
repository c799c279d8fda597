"""Load the demo county (贵溪市): schools, years 2021-2024, users and every app's demo data,
and the city and province above it with their users. ``--other-counties`` adds the city's two
other counties (余江区, 月湖区) with a few synthetic schools each: the annual summary is still
built over every school of the deployment, so with them 贵溪市's summary would count their
schools too. Running it twice leaves the same data."""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from workstudy import demo

# Apps whose ``demo.load(schools=..., users=...)`` adds their data, in this order.
DEMO_APPS = ["enterprises", "labor_bases", "logistics", "labor_education", "statreturn", "insurance", "reports"]


class Command(BaseCommand):
    help = "Load the demo county 贵溪市 (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--other-counties", action="store_true",
                            help="also load 余江区 and 月湖区 with a few synthetic schools each")

    def handle(self, *args, other_counties=False, **options):
        with transaction.atomic():
            schools = demo.load_schools()
            users = demo.load_users(schools)
            demo.load_years_and_submissions(schools)
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
            others = demo.load_other_counties() if other_counties else {}
        self.stdout.write(self.style.SUCCESS("演示数据已载入：贵溪市，%d 所学校，2021-2024 年度。" % len(schools)))
        self.stdout.write("演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD)
        self.stdout.write("  staff      勤工办主任（可审核、锁定年度）")
        self.stdout.write("  clerk      勤工办经办人")
        self.stdout.write("  principal  樟坪中心学校校长")
        self.stdout.write("  principal2 周坊中学校长")
        self.stdout.write("  auditor    审计（只读，下载年度总结 PDF）")
        self.stdout.write("  city       鹰潭市勤工办（只读：下辖县区的数据）")
        self.stdout.write("  province   江西省勤工办（只读：全省的数据）")
        codes = sorted(code.lower() for code in others)
        if codes:
            self.stdout.write("  %s  余江区、月湖区各校校长（%d 所学校，填报 %s 年度）"
                              % ("、".join(codes), len(codes), demo.CURRENT_YEAR))
