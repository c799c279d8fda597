import datetime

import factory

from reports.models import DatedFact, NarrativeBlock, PolicyDocument, Section, SummarySettings
from tests.factories import ReportingYearFactory


class NarrativeBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NarrativeBlock
        django_get_or_create = ("year", "section", "county")

    year = factory.SubFactory(ReportingYearFactory)
    section = Section.INTRO
    text = "我局设立负责勤工俭学工作的职能股室——勤工办。"
    county = None  # shared by the whole deployment


class PolicyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyDocument
        django_get_or_create = ("issuer", "title", "county")

    title = "关于全面实施校(园)方责任保险工作的通知"
    issuer = "江西省教育厅"
    doc_no = "赣教勤字〔2008〕3号"
    date = datetime.date(2008, 4, 15)
    kind = PolicyDocument.Kind.NOTICE
    topic = PolicyDocument.Topic.LIABILITY
    county = None


class SummarySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SummarySettings
        django_get_or_create = ("year", "county")

    year = factory.SubFactory(ReportingYearFactory)
    period_start = 2023
    county = None


class DatedFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatedFact
        django_get_or_create = ("kind", "county")

    kind = DatedFact.Kind.FIRST_INSURANCE
    year = 2006
    month = None
    county = None
