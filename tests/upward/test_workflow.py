"""The reports' workflow (upward.services): every move allowed or refused, per level and actor."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from upward import services, snapshot
from upward.models import RegionSubmission, RegionSubmissionEvent
from workstudy.models import SubmissionStatus

S = RegionSubmission.Status
STATUSES = [S.DRAFT, S.SUBMITTED, S.APPROVED, S.RETURNED]
ACTIONS = ["submit", "approve", "return"]
# Who acts, seen from the report's region: its own director, the director of the region above,
# of the level above that (a county's province), of a sibling region, of a region below; the
# own region's clerk; an auditor of the region above.
ACTORS = ["own", "parent", "grandparent", "sibling", "child", "own_clerk", "parent_auditor"]

# The whole workflow, written out: (level, status, action, actor) that may happen. Everything
# else is refused.
ALLOWED = {
    (level, status, action, actor)
    for level in ("county", "city")
    for status, action, actor in [
        (S.DRAFT, "submit", "own"),
        (S.RETURNED, "submit", "own"),
        (S.SUBMITTED, "approve", "parent"),
        (S.SUBMITTED, "return", "parent"),
        (S.APPROVED, "return", "parent"),
    ]
}

ACTOR_KEYS = {
    "county": {"own": "dir_a", "parent": "dir_city", "grandparent": "dir_province", "sibling": "dir_b",
               "child": None, "own_clerk": "clerk_a", "parent_auditor": "auditor_city"},
    "city": {"own": "dir_city", "parent": "dir_province", "grandparent": None, "sibling": "dir_other_city",
             "child": "dir_a", "own_clerk": "clerk_city", "parent_auditor": None},
}

CASES = [
    (level, status, action, actor)
    for level, status, action, actor in itertools.product(("county", "city"), STATUSES, ACTIONS, ACTORS)
    if ACTOR_KEYS[level][actor] is not None
]


@pytest.fixture
def year(db):
    return ReportingYearFactory(year=2024)


@pytest.mark.parametrize(("level", "status", "action", "actor"), CASES, ids=lambda v: str(v))
def test_every_move_per_level_and_actor(tree, people, year, level, status, action, actor):
    region = tree["a"] if level == "county" else tree["city"]
    report = RegionSubmission.objects.create(region=region, year=year, status=status, version=3)
    user = people[ACTOR_KEYS[level][actor]]
    allowed = (level, status, action, actor) in ALLOWED
    assert (services.refusal(user, report, action) is None) == allowed
    if allowed:
        moved = services.act(user=user, region=region, year=year, action=action, reason="数据有误", version=3)
        assert moved.status == services.TRANSITIONS[action].target
        assert moved.version == 4
        event = RegionSubmissionEvent.objects.get(submission=report)
        assert (event.from_status, event.to_status, event.actor, event.version) == (status, moved.status, user, 4)
        return
    # The right level with the wrong state: the move is not possible now; anyone else may not act.
    expected = ValidationError if actor == ("own" if action == "submit" else "parent") else PermissionDenied
    with pytest.raises(expected) as refused:
        services.act(user=user, region=region, year=year, action=action, reason="数据有误", version=3)
    text = " ".join(refused.value.messages) if expected is ValidationError else str(refused.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    report.refresh_from_db()
    assert (report.status, report.version) == (status, 3)
    assert not RegionSubmissionEvent.objects.exists()


def test_the_province_reports_to_no_one(tree, people, year):
    with pytest.raises(ValidationError) as refused:
        services.act(user=people["dir_province"], region=tree["province"], year=year, action="submit")
    assert "最高一级" in " ".join(refused.value.messages)


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_return_needs_a_reason(tree, people, year, reason):
    report = RegionSubmission.objects.create(region=tree["a"], year=year, status=S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        services.act(user=people["dir_city"], region=tree["a"], year=year, action="return", reason=reason)
    assert "原因" in " ".join(refused.value.messages)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED and not report.events.exists()
    returned = services.act(user=people["dir_city"], region=tree["a"], year=year, action="return", reason=" 请补充 ")
    assert (returned.status, returned.returned_reason) == (S.RETURNED, "请补充")
    assert returned.events.get().reason == "请补充"


def test_a_stale_page_is_refused(tree, people, year):
    report = RegionSubmission.objects.create(region=tree["a"], year=year, status=S.SUBMITTED, version=5)
    with pytest.raises(ValidationError) as refused:
        services.act(user=people["dir_city"], region=tree["a"], year=year, action="approve", version=4)
    assert "刷新" in " ".join(refused.value.messages)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_a_level_that_sent_its_report_no_longer_reviews_below(tree, people, year):
    county = RegionSubmission.objects.create(region=tree["a"], year=year, status=S.SUBMITTED)
    services.act(user=people["dir_city"], region=tree["city"], year=year, action="submit")
    with pytest.raises(ValidationError) as refused:
        services.act(user=people["dir_city"], region=tree["a"], year=year, action="approve")
    assert "请先请上级退回" in " ".join(refused.value.messages)
    services.act(user=people["dir_province"], region=tree["city"], year=year, action="return", reason="贵溪市未审核")
    services.act(user=people["dir_city"], region=tree["a"], year=year, action="approve")
    county.refresh_from_db()
    assert county.status == S.APPROVED


def test_a_submission_keeps_what_stands_unapproved_below(tree, people, year, schools):
    SubmissionFactory(school=schools["a"], year=year, status=SubmissionStatus.SUBMITTED)
    SubmissionFactory(school=SchoolFactory(code="Ua2", name="上报测试学校a2", county=tree["a"]), year=year,
                      status=SubmissionStatus.APPROVED)
    assert snapshot.pending(year.pk, tree["a"]) == 1
    report = services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    assert report.pending_count == 1
    assert report.figures and report.fingerprint and report.data_stamp
    assert report.data_version == year.data_version
    # The city, with one of its two counties submitted and none approved.
    city = services.act(user=people["dir_city"], region=tree["city"], year=year, action="submit")
    assert city.pending_count == 2
    assert [(p["name"], p["status"], p["version"]) for p in city.parts] == [("贵溪市", "submitted", 2), ("余江区", "draft", 0)]
    assert city.parts[0]["fingerprint"] == report.fingerprint


@pytest.mark.parametrize(("who", "action"), [
    ("dir_city", "submit"), ("clerk_a", "submit"), ("auditor_city", "approve"), ("dir_city", "approve"),
    ("dir_city", "return"),
])
def test_a_refused_move_writes_nothing(tree, people, year, who, action):
    with pytest.raises((PermissionDenied, ValidationError)):
        services.act(user=people[who], region=tree["a"], year=year, action=action, reason="原因")
    assert not RegionSubmission.objects.exists() and not RegionSubmissionEvent.objects.exists()
