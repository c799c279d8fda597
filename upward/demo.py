"""Demo: 贵溪市's report of the year before the current one, sent to 鹰潭市 after the year's
lock and approved by the city. Loaded after the demo's workflow states (the year's lock changes
the summary's data version, which the report keeps)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from workstudy import demo as core_demo

from . import services
from .models import RegionSubmission, RegionSubmissionEvent

A = RegionSubmissionEvent.Action


def _local(year, month, day, hour):
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def load(*, schools, users) -> None:
    year = core_demo.CURRENT_YEAR - 1
    county, director, city = users["staff"].region, users["staff"], users["city"]
    # Running the demo again sends the report afresh (the data may have been reloaded).
    RegionSubmissionEvent.objects.filter(submission__region=county, submission__year_id=year).delete()
    RegionSubmission.objects.filter(region=county, year_id=year).delete()
    services.act(user=director, region=county, year=year, action=A.SUBMIT)
    report = services.act(user=city, region=county, year=year, action=A.APPROVE)
    submitted, reviewed = _local(year + 1, 1, 25, 10), _local(year + 1, 1, 30, 16)
    RegionSubmission.objects.filter(pk=report.pk).update(submitted_at=submitted, reviewed_at=reviewed)
    for action, at in ((A.SUBMIT, submitted), (A.APPROVE, reviewed)):
        RegionSubmissionEvent.objects.filter(submission=report, action=action).update(at=at)
