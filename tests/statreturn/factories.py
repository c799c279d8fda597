"""Factories of the statistical-return app."""

from decimal import Decimal

import factory

from statreturn.models import EnterpriseReturn, Sector
from tests.enterprises.factories import EnterpriseFactory
from tests.factories import ReportingYearFactory


class EnterpriseReturnFactory(factory.django.DjangoModelFactory):
    """Needs the enterprise's yearly figures of the year (make them first)."""

    class Meta:
        model = EnterpriseReturn
        django_get_or_create = ("enterprise", "year")

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    sector = Sector.INDUSTRY
    output_value = Decimal("120000.00")
    assets = Decimal("500000.00")
    liabilities = Decimal("200000.00")
    tax_relief = Decimal("1000.00")
    use_base_building = Decimal("1000.00")
    use_school_conditions = Decimal("2000.00")
    use_collective_welfare = Decimal("500.00")
    use_personal_welfare = Decimal("500.00")
    use_other = Decimal("0.00")
    year_end_balance = Decimal("8000.00")
