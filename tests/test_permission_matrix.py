"""Runs every URL case for every role; fails for URL patterns without a case."""

import importlib
import json
import pkgutil
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.factories import SubmissionFactory
from tests.matrix import LOGIN, PRINCIPAL_A, ROLES, Case

# URL names that are not pages of ours (tested elsewhere or framework-provided).
EXEMPT = {"set_language", "logout"}


def _case_modules():
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tests.{info.name}.url_cases")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{info.name}.url_cases":
                    raise


CASE_MODULES = list(_case_modules())
ALL_CASES: list[Case] = [case for module in CASE_MODULES for case in getattr(module, "CASES", [])]


def _pattern_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _pattern_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_pattern_has_a_case():
    names = set(_pattern_names(get_resolver().url_patterns))
    covered = {case.url_name for case in ALL_CASES}
    missing = sorted(names - covered - EXEMPT)
    assert not missing, f"URL patterns without a permission-matrix case: {missing}"


def build_world(**people_and_places) -> SimpleNamespace:
    """The matrix's world: two schools with their returns and school B's rows in every app (each
    app's url_cases ``build``), so every detail page exists. The browser's page tour uses it too."""
    w = SimpleNamespace(**people_and_places)
    w.submission_a = SubmissionFactory(school=w.school_a, year=w.year)
    w.submission_b = SubmissionFactory(school=w.school_b, year=w.year)
    for module in CASE_MODULES:
        build = getattr(module, "build", None)
        if build is not None:
            build(w)
    return w


@pytest.fixture
def world(db, school_a, school_b, year, director, principal_a, principal_b, auditor):
    return build_world(school_a=school_a, school_b=school_b, year=year, director=director,
                       principal_a=principal_a, principal_b=principal_b, auditor=auditor)


def _client(world, role):
    client = Client()
    user = {"staff": world.director, "principal_a": world.principal_a, "principal_b": world.principal_b,
            "auditor": world.auditor}.get(role)
    if user is not None:
        client.force_login(user)
    return client


def _check(world, case, role) -> str | None:
    """Run ``case`` as ``role``; return a description of what went wrong, or None."""
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    if case.query:
        url += "?" + case.query
    client = _client(world, role)
    data = case.data(world) if case.data else None
    kwargs = {}
    if case.content_type:
        kwargs["content_type"] = case.content_type
        data = json.dumps(data) if data is not None and "json" in case.content_type else data
    method = getattr(client, case.method)
    response = method(url, data=data, **kwargs) if data is not None else method(url, **kwargs)
    expected = case.expect[role]
    if expected == LOGIN:
        if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
            return f"{role}: expected a redirect to the login page, got {response.status_code}"
    elif response.status_code != expected:
        return f"{role}: expected {expected}, got {response.status_code}"
    if role == PRINCIPAL_A and case.check_leak and response.status_code < 400:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if world.school_b.name.encode() in body:
            return f"{role}: the response contains school B's name"
    return None


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_permission_matrix(world, case):
    """One world per case; each role runs in a savepoint that is rolled back, so a POST by
    one role never changes what the next role sees."""
    problems = []
    for role in ROLES:
        with transaction.atomic():
            problem = _check(world, case, role)
            transaction.set_rollback(True)
        if problem:
            problems.append(problem)
    assert not problems, f"{case.id}: " + "; ".join(problems)


admin.autodiscover()  # as config/urls.py does; else the registry is empty at collection
ADMIN_MODELS = [model for model in admin.site._registry]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_admin_is_for_bureau_staff_only(world, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for role in ROLES:
        response = _client(world, role).get(url)
        if role == "staff":
            # Login-throttling records (django-axes) are for superusers only.
            expected = 403 if model._meta.app_label == "axes" else 200
            assert response.status_code == expected, (model, response.status_code)
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (role, model)
