"""Hostile input to the core API: every bad request is a 4xx with a message, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from workstudy.models import Submission


def _detail_url(submission):
    return reverse("submission-detail", kwargs={"pk": submission.pk})


def _submit_url(submission):
    return reverse("submission-submit", kwargs={"pk": submission.pk})


def _message(response) -> str:
    """The text a client gets back; must be non-empty."""
    try:
        payload = response.json()
    except ValueError:
        return response.content.decode("utf-8", "replace")
    return json.dumps(payload, ensure_ascii=False)


@pytest.fixture
def client(director):
    client = Client(raise_request_exception=False)
    client.force_login(director)
    return client


BAD_PATCH_BODIES = [
    pytest.param('{"staff_count": ', "application/json", None, id="truncated-json"),
    pytest.param("{'staff_count': 3}", "application/json", None, id="python-not-json"),
    pytest.param("\x00\x01\x02garbage", "application/json", None, id="binary-garbage"),
    pytest.param("[1, 2, 3]", "application/json", None, id="list-not-object"),
    pytest.param("null", "application/json", None, id="null-body"),
    pytest.param('"just a string"', "application/json", None, id="string-body"),
    pytest.param(json.dumps({"staff_count": "三十"}), "application/json", "staff_count", id="chinese-number"),
    pytest.param(json.dumps({"staff_count": "abc"}), "application/json", "staff_count", id="string-for-int"),
    pytest.param(json.dumps({"staff_count": 12.5}), "application/json", "staff_count", id="float-for-int"),
    pytest.param(json.dumps({"staff_count": -5}), "application/json", "staff_count", id="negative"),
    pytest.param(json.dumps({"staff_count": 10**30}), "application/json", "staff_count", id="huge-int"),
    pytest.param(json.dumps({"staff_count": [1]}), "application/json", "staff_count", id="list-for-int"),
    pytest.param(json.dumps({"staff_count": {"a": 1}}), "application/json", "staff_count", id="object-for-int"),
    pytest.param(json.dumps({"staff_count": True}), "application/json", "staff_count", id="bool-for-int"),
    pytest.param(json.dumps({"explanation": {"x": 1}}), "application/json", "explanation", id="object-for-text"),
    pytest.param(json.dumps({"student_count": 10, "poor_student_count": 11}), "application/json",
                 "poor_student_count", id="rule-CORE-02"),
    pytest.param(json.dumps({"student_count": 10, "poor_student_count": 5, "boarding_count": 11}), "application/json",
                 "boarding_count", id="rule-CORE-03"),
    pytest.param(json.dumps({"version": "x", "staff_count": 3}), "application/json", "version", id="bad-version"),
    pytest.param(json.dumps({"staff_count": 3, "hacker_field": 1}), "application/json", "hacker_field",
                 id="unknown-field"),
    pytest.param(json.dumps({"school": 999999, "staff_count": 3}), "application/json", "school",
                 id="read-only-school"),
    pytest.param(json.dumps({"status": "approved"}), "application/json", "status", id="read-only-status"),
    pytest.param('{"staff_count": 3', "text/plain", None, id="unsupported-media-type"),
    pytest.param("staff_count=abc", "application/x-www-form-urlencoded", "staff_count", id="form-bad-int"),
    pytest.param("%%%=%%%", "application/x-www-form-urlencoded", None, id="form-garbage"),
    pytest.param("--xx\r\nbroken", "multipart/form-data", None, id="multipart-no-boundary"),
    pytest.param(json.dumps({"explanation": "\ud800"}), "application/json", None, id="lone-surrogate"),
    pytest.param(b"\xff\xfe{}", "application/json; charset=utf-8", None, id="bad-utf8"),
]


@pytest.mark.parametrize("body, content_type, field", BAD_PATCH_BODIES)
def test_bad_patch_is_a_4xx_with_a_message_and_changes_nothing(client, submission_a, body, content_type, field):
    before = Submission.objects.values().get(pk=submission_a.pk)
    response = client.patch(_detail_url(submission_a), data=body, content_type=content_type)
    assert 400 <= response.status_code < 500, (response.status_code, _message(response))
    message = _message(response)
    assert message.strip(), "a 4xx must say what was wrong"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), f"message not in Chinese: {message}"
    if field:
        assert field in response.json(), message
    after = Submission.objects.values().get(pk=submission_a.pk)
    assert after == before


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("--xx\r\nbroken", "multipart/form-data; boundary=xx"),
        ("", "application/json"),
        ("{}", "application/json"),
        (json.dumps({"staff_count": 2**31}), "application/json"),  # over PostgreSQL's integer: 400 there
        (json.dumps({"staff_count": 2**63}), "application/json"),  # over SQLite's integer
    ],
    ids=["broken-multipart", "empty-body", "empty-object", "int32-overflow", "int64-overflow"],
)
def test_odd_patch_is_never_a_500(client, submission_a, body, content_type):
    response = client.patch(_detail_url(submission_a), data=body, content_type=content_type)
    assert response.status_code < 500, (response.status_code, _message(response))
    if response.status_code == 200:
        assert response.json()["status"] == "draft"


def test_good_patch_still_works(client, submission_a):
    response = client.patch(
        _detail_url(submission_a), data={"staff_count": 33, "version": submission_a.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["staff_count"] == 33
    # Echoing the representation back (read-only values unchanged) is accepted.
    body = response.json()
    body["staff_count"] = 34
    response = client.patch(_detail_url(submission_a), data=body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Submission.objects.get(pk=submission_a.pk).staff_count == 34


def test_stale_version_is_a_409_or_400_with_chinese_message(client, submission_a):
    fresh = client.get(_detail_url(submission_a)).json()
    client.patch(_detail_url(submission_a), data={"staff_count": 40, "version": fresh["version"]},
                 content_type="application/json")
    stale = client.patch(_detail_url(submission_a), data={"staff_count": 41, "version": fresh["version"]},
                         content_type="application/json")
    assert stale.status_code in (400, 409)
    assert "已被他人修改" in _message(stale)
    assert Submission.objects.get(pk=submission_a.pk).staff_count == 40


def test_huge_json_payload_is_refused(client, submission_a, settings):
    body = json.dumps({"explanation": "大" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2)})
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.patch(_detail_url(submission_a), data=body, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert "请求内容过大" in _message(response)
    assert Submission.objects.get(pk=submission_a.pk).explanation == ""


def test_huge_form_payload_is_refused(client, submission_a, settings):
    body = "explanation=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.patch(_detail_url(submission_a), data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413), response.status_code
    assert Submission.objects.get(pk=submission_a.pk).explanation == ""


def test_too_many_form_fields_are_refused(client, submission_a, settings):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10))
    response = client.patch(_detail_url(submission_a), data=body, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500, response.status_code


def test_huge_payload_to_submit_is_refused(client, submission_a, settings):
    body = json.dumps({"pad": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = client.post(_submit_url(submission_a), data=body, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert "请求内容过大" in _message(response)
    assert Submission.objects.get(pk=submission_a.pk).status == "draft"


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"broken', "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
        ("\x00", "application/json"),
        ("<xml/>", "application/xml"),
    ],
    ids=["truncated", "list", "null", "nul-byte", "xml"],
)
def test_bad_submit_body_is_a_4xx_or_ignored_never_500(client, submission_a, body, content_type):
    response = client.post(_submit_url(submission_a), data=body, content_type=content_type)
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400:
        assert _message(response).strip()


def test_submit_with_missing_counts_explains_in_chinese(client, school_a, year):
    submission = Submission.objects.create(school=school_a, year=year)
    response = client.post(_submit_url(submission), data={}, content_type="application/json")
    assert response.status_code == 400
    assert "上报前请先填写本年度教职工人数和学生人数" in _message(response)
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_submit_twice_is_a_4xx_the_second_time(client, submission_a):
    first = client.post(_submit_url(submission_a), data={}, content_type="application/json")
    assert first.status_code == 200, _message(first)
    second = client.post(_submit_url(submission_a), data={}, content_type="application/json")
    assert second.status_code == 400
    assert "不能执行" in _message(second)


@pytest.mark.parametrize("pk", ["0", "-1", "99999999999999999999", "abc", "1.5", "%00"])
def test_odd_ids_are_404_not_500(client, pk):
    response = client.get(f"/api/submissions/{pk}/")
    assert response.status_code == 404, (pk, response.status_code)
    response = client.post(f"/api/submissions/{pk}/submit/", data={}, content_type="application/json")
    assert response.status_code == 404, (pk, response.status_code)


@pytest.mark.parametrize(
    "query",
    ["year=abc", "year=99999999999999999999", "year=11903", "year=0", "year=-5", "school=abc", "school=-1",
     "status=nonsense", "page=abc",
     "page=999999", "year=2024&school=1&status=draft&page=1", "year=%00", "ordering=;drop"],
)
def test_odd_list_filters_are_never_500(client, submission_a, query):
    response = client.get(f"/api/submissions/?{query}")
    assert response.status_code < 500, (query, response.status_code)


def test_principal_cannot_submit_another_schools_submission_by_api(principal_a, submission_b):
    client = Client()
    client.force_login(principal_a)
    response = client.post(_submit_url(submission_b), data={}, content_type="application/json")
    assert response.status_code == 404
    response = client.patch(_detail_url(submission_b), data={"staff_count": 1}, content_type="application/json")
    assert response.status_code == 404
