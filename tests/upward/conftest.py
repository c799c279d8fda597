"""The region tree of the reports: 江西省 → 鹰潭市 (贵溪市, 余江区) and 上饶市 (广丰区), with a
director of every region, and a clerk and an auditor of the city and of county A."""

import pytest

from tests.factories import SchoolFactory, UserFactory
from workstudy.models import Region, Role


@pytest.fixture
def tree(db):
    county_a = Region.default_county()  # 江西省 → 鹰潭市 → 贵溪市
    city = county_a.parent
    county_b = Region.objects.create(parent=city, name="余江区", level=Region.Level.COUNTY)
    other_city = Region.objects.create(parent=city.parent, name="上饶市", level=Region.Level.CITY)
    county_c = Region.objects.create(parent=other_city, name="广丰区", level=Region.Level.COUNTY)
    return {"a": county_a, "b": county_b, "c": county_c, "city": city, "other_city": other_city,
            "province": city.parent}


@pytest.fixture
def people(tree):
    directors = {
        key: UserFactory(username=f"dir_{key}", role=Role.STAFF, region=region, is_director=True,
                         first_name=f"{region.name}主任")
        for key, region in tree.items()
    }
    return {
        **{f"dir_{key}": user for key, user in directors.items()},
        "clerk_a": UserFactory(username="clerk_a", role=Role.STAFF, region=tree["a"]),
        "clerk_city": UserFactory(username="clerk_city", role=Role.STAFF, region=tree["city"]),
        "auditor_a": UserFactory(username="auditor_a", role=Role.AUDITOR, region=tree["a"], is_staff=False),
        "auditor_city": UserFactory(username="auditor_city", role=Role.AUDITOR, region=tree["city"], is_staff=False),
    }


@pytest.fixture
def schools(tree):
    return {key: SchoolFactory(code=f"U{key}", name=f"上报测试学校{key}", county=tree[key]) for key in ("a", "b", "c")}
