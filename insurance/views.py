"""Pages of 学校保险与理赔: the yearly overview, 学平险 coverage, policies and their funding,
insurers and funding rules, and claims with their steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from workstudy import scoping
from workstudy.mixins import (
    READERS_OF_BUREAU_DATA,
    RoleRequiredMixin,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    YearMixin,
)
from workstudy.models import ConcurrentEditError, Role, School, Submission
from workstudy.widgets import SchoolFilterForm

from . import exports, selectors, services
from .forms import (
    ClaimAdvanceForm,
    ClaimDocumentForm,
    ClaimFileForm,
    ClaimForm,
    CoverageForm,
    FundingForm,
    FundingRuleForm,
    InsurerForm,
    PolicyForm,
)
from .models import (
    REQUIRED_DOCUMENTS,
    Claim,
    ClaimantKind,
    ClaimStatus,
    DocumentType,
    FundingRule,
    FundingSource,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
)

STAFF = (Role.STAFF,)


def _year_url(name: str, year) -> str:
    return reverse(name) + (f"?year={getattr(year, 'pk', year)}" if year else "")


def _history_url(obj) -> str:
    return reverse("history", args=["insurance", obj._meta.model_name, obj.pk])


def _funded():
    """Σ premium funding of a policy, as a subquery (a join would multiply it by other joins)."""
    rows = PremiumFunding.objects.filter(policy_id=OuterRef("pk")).values("policy_id").annotate(t=Sum("amount"))
    return Subquery(rows.values("t"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _claim_count():
    """Number of claims on a policy, as a subquery on the claims' policy index (a join grouped
    by every policy column sorted a whole year's claims, slow at province size)."""
    rows = Claim.objects.filter(policy_id=OuterRef("pk")).order_by().values("policy_id").annotate(n=Count("id"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def schools_without_coverage(year):
    """Schools in use with no 学平险 row for ``year``, by code (an anti-join, not a list of ids)."""
    covered = StudentAccidentCoverage.objects.filter(year=year, school_id=OuterRef("pk"))
    students = Submission.objects.filter(school_id=OuterRef("pk"), year=year).order_by().values("student_count")[:1]
    return (School.objects.filter(active=True).exclude(Exists(covered))
            .annotate(year_student_count=Subquery(students)).order_by("code"))


# The overview names this many schools without coverage and shows this many policies (a
# province has hundreds of county-wide policies a year); the rest are on their own pages.
MISSING_SHOWN = 20
POLICIES_SHOWN = 50


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Overview -----------------------------------------------------------------


class IndexView(RoleRequiredMixin, YearMixin, generic.TemplateView):
    template_name = "insurance/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, self.get_year()
        if year is None:
            return context
        if user.is_principal:
            context["coverage"] = StudentAccidentCoverage.objects.filter(school=user.school, year=year).with_counts().first()
            context["claims"] = (
                scoping.visible(user, Claim.objects.select_related("policy")).filter(year=year).order_by("-incident_date")
            )
            context["policies"] = scoping.visible(user, InsurancePolicy.objects.select_related("insurer")).filter(year=year)
            context["write_block_reason"] = scoping.write_block_reason(user, school=user.school, year=year)
            return context
        policies = InsurancePolicy.objects.filter(year=year)
        context["policy_count"] = policies.count()
        context["policies"] = (
            policies.select_related("insurer", "broker", "school")
            .annotate(funded=_funded(), claim_count=_claim_count())
            .order_by("policy_type", "school__code", "policy_no")[:POLICIES_SHOWN]
        )
        context["premium_by_source"] = selectors.premium_by_source(year.pk)
        context["coverage_totals"] = selectors.coverage(year.pk)
        context["claims_paid"] = selectors.claims_summary(year.pk, year.pk)
        status_counts = dict(
            Claim.objects.filter(year=year).values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        context["status_counts"] = [(s.value, s.label, status_counts.get(s.value, 0)) for s in ClaimStatus]
        missing = schools_without_coverage(year)
        context["missing_count"] = missing.count()
        context["schools_without_coverage"] = missing[:MISSING_SHOWN] if context["missing_count"] else []
        context["write_block_reason"] = scoping.write_block_reason(user, school=None, year=year)
        return context


# 学平险 coverage ----------------------------------------------------------


class CoverageListView(ScopedListView):
    model = StudentAccidentCoverage
    template_name = "insurance/coverage_list.html"
    paginate_by = 100

    def base_queryset(self):
        return StudentAccidentCoverage.objects.select_related("school", "year").with_counts().order_by("school__code")

    def get_queryset(self):
        qs = super().get_queryset()
        school = _int_or_none(self.request.GET.get("school"))
        if school:
            qs = scoping.filter_school_year(qs, school=school)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.object_list.order_by()
        totals = rows.aggregate(
            insured_parent_paid=Sum("insured_parent_paid"),
            poor_free_by_insurer=Sum("poor_free_by_insurer"),
            poor_advanced_by_school=Sum("poor_advanced_by_school"),
            advance_amount=Sum("advance_amount"),
        )
        # The listed schools' counts of the year (what each row shows, ``with_counts``), summed over
        # their returns in one semi-join rather than one subquery per row (a province has 15,000
        # rows); a school has one coverage a year, so each return is counted once.
        listed = rows.filter(school_id=OuterRef("school_id"), year_id=OuterRef("year_id"))
        totals.update(Submission.objects.order_by().filter(Exists(listed)).aggregate(
            enrolled=Sum("student_count"), poor_students=Sum("poor_student_count"),
        ))
        context["totals"] = totals
        return context


class MissingCoverageView(RoleRequiredMixin, YearMixin, generic.ListView):
    """Schools that have not filled in 学平险 for the year (the overview shows only the first few)."""

    template_name = "insurance/missing_coverage.html"
    roles = READERS_OF_BUREAU_DATA
    paginate_by = 100

    def get_queryset(self):
        year = self.get_year()
        return schools_without_coverage(year) if year is not None else School.objects.none()


class CoverageCreateView(ScopedCreateView):
    model = StudentAccidentCoverage
    form_class = CoverageForm
    template_name = "insurance/form.html"

    def get(self, request, *args, **kwargs):
        year = self.get_year()
        if request.user.is_principal and year is not None:
            existing = StudentAccidentCoverage.objects.filter(school=request.user.school, year=year).first()
            if existing is not None:
                return redirect("insurance:coverage_edit", pk=existing.pk)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["year"] = self.get_year()
        return kwargs

    def owner(self, form):
        return form.instance.school if form.instance.school_id else None, self.get_year()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("填报 %(year)s 年度学平险投保情况") % {"year": self.get_year()}
        context["help"] = _("学平险由家长自愿购买；贫困家庭学生由保险公司免费投保或由学校在公用经费中垫付。")
        if self.request.user.is_principal:
            context.update(_school_counts(self.request.user.school_id, self.get_year()))
        return context

    def get_success_url(self):
        self.success_url = _year_url("insurance:index", self.object.year_id)
        return super().get_success_url()


class CoverageUpdateView(ScopedUpdateView):
    model = StudentAccidentCoverage
    form_class = CoverageForm
    template_name = "insurance/form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("%(school)s %(year)s 年度学平险投保情况") % {
            "school": self.object.school,
            "year": self.object.year_id,
        }
        context["history_url"] = _history_url(self.object)
        context.update(_school_counts(self.object.school_id, self.object.year))
        return context

    def get_success_url(self):
        self.success_url = _year_url("insurance:index", self.object.year_id)
        return super().get_success_url()


def _school_counts(school_id, year) -> dict:
    """The school's yearly counts the coverage is checked against, and where to change them."""
    if school_id is None or year is None:
        return {}
    sub = Submission.objects.filter(school_id=school_id, year=year).values("student_count", "poor_student_count").first()
    counts_url = reverse("school_counts", args=[school_id]) + f"?year={getattr(year, 'pk', year)}"
    return {"school_counts": sub or {"student_count": None, "poor_student_count": None},
            "school_counts_url": counts_url}


class CoverageDeleteView(ScopedDeleteView):
    model = StudentAccidentCoverage

    def get_success_url(self):
        return _year_url("insurance:coverage_list", self.object.year_id)


# Policies and funding ------------------------------------------------------


class PolicyListView(ScopedListView):
    model = InsurancePolicy
    template_name = "insurance/policy_list.html"

    def base_queryset(self):
        return (
            InsurancePolicy.objects.select_related("insurer", "broker", "school")
            .annotate(funded=_funded())
            .order_by("policy_type", "school__code", "policy_no")
        )

    def get_queryset(self):
        qs = super().get_queryset()
        policy_type = self.request.GET.get("policy_type")
        if policy_type in PolicyType.values:
            qs = qs.filter(policy_type=policy_type)
        school = self.request.GET.get("school")
        if school == "county":
            qs = qs.filter(school__isnull=True)
        elif _int_or_none(school):
            qs = scoping.filter_school_year(qs, school=int(school))
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policy_types"] = PolicyType.choices
        context["policy_type"] = self.request.GET.get("policy_type", "")
        return context


class PolicyDetailView(ScopedDetailView):
    model = InsurancePolicy
    template_name = "insurance/policy_detail.html"

    def base_queryset(self):
        return InsurancePolicy.objects.select_related("insurer", "broker", "school", "year")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = self.object
        fundings = list(policy.fundings.all())
        context["fundings"] = fundings
        context["funded_total"] = sum((f.amount for f in fundings), start=0)
        claims = scoping.visible(self.request.user, policy.claims.all())
        context["claim_stats"] = claims.aggregate(n=Count("id"), paid=Sum("paid_amount"))
        context["rules"] = FundingRule.covering(policy.policy_type, policy.year_id)
        context["can_edit"] = self.request.user.is_bureau and context["write_block_reason"] is None
        return context


class PolicyCreateView(ScopedCreateView):
    model = InsurancePolicy
    form_class = PolicyForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_initial(self):
        year = self.get_year()
        return {"year": year} if year else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("新增保单")
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:policy_detail", args=[self.object.pk])
        return super().get_success_url()


class PolicyUpdateView(ScopedUpdateView):
    model = InsurancePolicy
    form_class = PolicyForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改保单 %(no)s") % {"no": self.object.policy_no}
        context["history_url"] = _history_url(self.object)
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:policy_detail", args=[self.object.pk])
        return super().get_success_url()


class PolicyDeleteView(ScopedDeleteView):
    model = InsurancePolicy
    roles = STAFF

    def form_valid(self, form):
        if self.object.claims.exists():
            messages.error(self.request, _("该保单下已有理赔案件，不能删除。"))
            return redirect("insurance:policy_detail", pk=self.object.pk)
        return super().form_valid(form)

    def get_success_url(self):
        return _year_url("insurance:policy_list", self.object.year_id)


class FundingListView(ScopedListView):
    model = PremiumFunding
    template_name = "insurance/funding_list.html"
    roles = READERS_OF_BUREAU_DATA
    paginate_by = 100

    def base_queryset(self):
        return PremiumFunding.objects.select_related("policy", "policy__school").order_by("policy__policy_type", "source")

    def get_queryset(self):
        qs = super().get_queryset()
        source = self.request.GET.get("source")
        if source in FundingSource.values:
            qs = qs.filter(source=source)
        policy_type = self.request.GET.get("policy_type")
        if policy_type in PolicyType.values:
            qs = qs.filter(policy__policy_type=policy_type)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.object_list.aggregate(amount=Sum("amount"), persons=Sum("persons"))
        context["sources"] = FundingSource.choices
        context["source"] = self.request.GET.get("source", "")
        return context


class _PolicyChildMixin:
    def get_policy(self):
        if not hasattr(self, "_policy"):
            self._policy = scoping.get_visible_or_404(self.request.user, InsurancePolicy, pk=self.kwargs["policy_pk"])
        return self._policy


class FundingCreateView(_PolicyChildMixin, ScopedCreateView):
    model = PremiumFunding
    form_class = FundingForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["policy"] = self.get_policy()
        return kwargs

    def owner(self, form):
        policy = self.get_policy()
        return policy.school, policy.year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("保单 %(no)s 新增保费来源") % {"no": self.get_policy().policy_no}
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:policy_detail", args=[self.object.policy_id])
        return super().get_success_url()


class FundingUpdateView(ScopedUpdateView):
    model = PremiumFunding
    form_class = FundingForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改保费来源")
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:policy_detail", args=[self.object.policy_id])
        return super().get_success_url()


class FundingDeleteView(ScopedDeleteView):
    model = PremiumFunding
    roles = STAFF

    def get_success_url(self):
        return reverse("insurance:policy_detail", args=[self.object.policy_id])


# Insurers and funding rules (bureau master data) -----------------------------


class InsurerListView(ScopedListView):
    model = Insurer
    template_name = "insurance/insurer_list.html"
    roles = READERS_OF_BUREAU_DATA
    filter_by_year = False


class InsurerCreateView(ScopedCreateView):
    model = Insurer
    form_class = InsurerForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("新增保险公司/经纪公司")}

    def get_success_url(self):
        self.success_url = reverse("insurance:insurer_list")
        return super().get_success_url()


class InsurerUpdateView(ScopedUpdateView):
    model = Insurer
    form_class = InsurerForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("修改 %(name)s") % {"name": self.object},
            "history_url": _history_url(self.object),
        }

    def get_success_url(self):
        self.success_url = reverse("insurance:insurer_list")
        return super().get_success_url()


class FundingRuleListView(ScopedListView):
    model = FundingRule
    template_name = "insurance/rule_list.html"
    roles = READERS_OF_BUREAU_DATA
    filter_by_year = False


class FundingRuleCreateView(ScopedCreateView):
    model = FundingRule
    form_class = FundingRuleForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("新增经费保障规则")}

    def get_success_url(self):
        self.success_url = reverse("insurance:rule_list")
        return super().get_success_url()


class FundingRuleUpdateView(ScopedUpdateView):
    model = FundingRule
    form_class = FundingRuleForm
    template_name = "insurance/form.html"
    roles = STAFF

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("修改经费保障规则"), "history_url": _history_url(self.object)}

    def get_success_url(self):
        self.success_url = reverse("insurance:rule_list")
        return super().get_success_url()


# Claims ------------------------------------------------------------------


def filter_claims(qs, params, *, school_filter: SchoolFilterForm):
    """The claim list's filters (also used by the export and by ``selectors.rows_url``).

    ``school_filter`` resolves ``?school=`` (an id, or a code or name typed in the picker)."""
    qs = school_filter.filter(qs)
    status = params.get("status")
    if status in ClaimStatus.values:
        qs = qs.filter(status=status)
    policy_type = params.get("policy_type")
    if policy_type in PolicyType.values:
        qs = qs.filter(policy__policy_type=policy_type)
    kind = params.get("claimant_kind")
    if kind in ClaimantKind.values:
        qs = qs.filter(claimant_kind=kind)
    paid_year = _int_or_none(params.get("paid_year"))
    paid_from, paid_to = _int_or_none(params.get("paid_from")), _int_or_none(params.get("paid_to"))
    if paid_year:
        paid_from = paid_to = paid_year
    if paid_from:
        qs = qs.filter(paid_date__year__gte=paid_from)
    if paid_to:
        qs = qs.filter(paid_date__year__lte=paid_to)
    query = (params.get("q") or "").strip()
    if query:
        qs = qs.filter(Q(claim_no__icontains=query) | Q(place__icontains=query) | Q(cause__icontains=query))
    return qs


def uses_paid_period(params) -> bool:
    return any(params.get(k) for k in ("paid_year", "paid_from", "paid_to"))


class ClaimListView(ScopedListView):
    model = Claim
    template_name = "insurance/claim_list.html"

    def base_queryset(self):
        return Claim.objects.select_related("school", "policy")

    def get_queryset(self):
        params = self.request.GET
        # Figures counted by paid date span policy years: then the year picker does not narrow.
        self.filter_by_year = not uses_paid_period(params)
        self.school_filter = SchoolFilterForm(params, user=self.request.user)
        return filter_claims(super().get_queryset(), params, school_filter=self.school_filter)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        context["totals"] = self.object_list.aggregate(
            n=Count("id"), persons=Sum("persons"), requested=Sum("requested_amount"), paid=Sum("paid_amount")
        )
        context["statuses"] = ClaimStatus.choices
        context["policy_types"] = PolicyType.choices
        context["claimant_kinds"] = ClaimantKind.choices
        context["f"] = {
            k: params.get(k, "")
            for k in ("status", "policy_type", "claimant_kind", "school", "q", "paid_year", "paid_from", "paid_to")
        }
        context["school_filter"] = self.school_filter
        context["paid_period"] = uses_paid_period(params)
        context["querystring"] = self.school_filter.querystring(params)
        return context


class ClaimExportView(RoleRequiredMixin, YearMixin, View):
    """The filtered claim list as .xlsx; personal data masked, scoped like the list."""

    def get(self, request):
        qs = scoping.visible(request.user, Claim.objects.select_related("school", "policy"))
        if not uses_paid_period(request.GET):
            year = self.get_year()
            if year is not None:
                qs = qs.filter(year=year)
        school_filter = SchoolFilterForm(request.GET, user=request.user)
        qs = filter_claims(qs, request.GET, school_filter=school_filter).order_by("school__code", "incident_date", "id")
        return exports.claims_xlsx_response(qs, filename="理赔案件.xlsx")


class ClaimCreateView(ScopedCreateView):
    model = Claim
    form_class = ClaimForm
    template_name = "insurance/form.html"

    def get_initial(self):
        from django.utils import timezone

        return {"reported_date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("报案：登记理赔案件")
        context["help"] = _(
            "系统按出险日期和险种自动查找本校或全市统保的有效保单；没有有效保单时不能登记。姓名和身份证号只有勤工办可以查看完整内容。"
        )
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:claim_detail", args=[self.object.pk])
        return super().get_success_url()


class ClaimUpdateView(ScopedUpdateView):
    model = Claim
    form_class = ClaimForm
    template_name = "insurance/form.html"

    def get_object(self, queryset=None):
        claim = super().get_object(queryset)
        reason = services.claim_can_edit_reason(self.request.user, claim)
        if reason:
            raise PermissionDenied(reason)
        return claim

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改案件 %(no)s") % {"no": self.object.claim_no}
        return context

    def get_success_url(self):
        self.success_url = reverse("insurance:claim_detail", args=[self.object.pk])
        return super().get_success_url()


class ClaimDetailView(ScopedDetailView):
    model = Claim
    template_name = "insurance/claim_detail.html"

    def base_queryset(self):
        return Claim.objects.select_related("school", "policy", "policy__insurer", "year")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim, user = self.object, self.request.user
        context["show_personal"] = user.is_bureau
        context["steps"] = [
            {"status": s, "label": s.label, "date": getattr(claim, field), "done": getattr(claim, field) is not None}
            for s, field in services.STEP_ORDER
        ]
        context["allowed_steps"] = services.allowed_claim_steps(user, claim)
        context["advance_form"] = ClaimAdvanceForm(initial={"assessed_amount": claim.assessed_amount})
        documents = {d.doc_type: d for d in claim.documents.all()}
        files: dict[str, list] = {}
        for item in claim.files.all():
            files.setdefault(item.doc_type, []).append(item)
        required = REQUIRED_DOCUMENTS.get(claim.claimant_kind, ())
        context["documents"] = [
            {
                "type": t, "label": t.label, "required": t in required, "doc": documents.get(t.value),
                "files": files.get(t.value, []),
                "received": bool(files.get(t.value)) or bool(getattr(documents.get(t.value), "received", False)),
            }
            for t in DocumentType
            if t in required or t.value in documents or t.value in files
        ]
        context["document_form"] = ClaimDocumentForm()
        context["file_form"] = ClaimFileForm()
        context["edit_block_reason"] = services.claim_can_edit_reason(user, claim)
        return context


class ClaimAdvanceView(RoleRequiredMixin, View):
    """POST: move a claim one step (staff only; the service checks the table and the rules)."""

    roles = STAFF
    http_method_names = ["post"]

    def post(self, request, pk):
        claim = scoping.get_visible_or_404(request.user, Claim, pk=pk)
        form = ClaimAdvanceForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("insurance:claim_detail", pk=claim.pk)
        data = form.cleaned_data
        try:
            services.claim_advance(
                user=request.user,
                claim=claim,
                to_status=data["to_status"],
                on_date=data["on_date"],
                assessed_amount=data["assessed_amount"],
                paid_amount=data["paid_amount"],
                reason=data["reason"],
            )
        except (PermissionDenied, ConcurrentEditError) as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("案件 %(no)s 已更新为“%(status)s”。") % {"no": claim.claim_no, "status": ClaimStatus(data["to_status"]).label},
            )
        return redirect("insurance:claim_detail", pk=claim.pk)


class ClaimDocumentView(RoleRequiredMixin, View):
    """POST: tick one document of a claim's checklist (staff, or the school while 已报案)."""

    roles = (Role.STAFF, Role.PRINCIPAL)
    http_method_names = ["post"]

    def post(self, request, pk):
        claim = scoping.get_visible_or_404(request.user, Claim, pk=pk)
        form = ClaimDocumentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择材料类型。"))
            return redirect("insurance:claim_detail", pk=claim.pk)
        try:
            services.claim_set_document(user=request.user, claim=claim, **form.cleaned_data)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("材料清单已更新。"))
        return HttpResponseRedirect(reverse("insurance:claim_detail", args=[claim.pk]))


def _claim_page(claim) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("insurance:claim_detail", args=[claim.pk]) + "#documents")


class ClaimFileUploadView(RoleRequiredMixin, View):
    """POST: attach scans/photos to one document of a claim (whoever may edit the claim)."""

    roles = (Role.STAFF, Role.PRINCIPAL)
    http_method_names = ["post"]

    def post(self, request, pk):
        claim = scoping.get_visible_or_404(request.user, Claim.objects.select_related("year"), pk=pk)
        reason = services.claim_can_edit_reason(request.user, claim)
        if reason:
            raise PermissionDenied(reason)
        form = ClaimFileForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return _claim_page(claim)
        data = form.cleaned_data
        try:
            created = services.claim_add_files(
                user=request.user, claim=claim, doc_type=data["doc_type"], uploads=data["files"]
            )
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except (ValidationError, ConcurrentEditError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("已上传“%(type)s”的 %(count)s 个文件：%(names)s。") % {
                    "type": DocumentType(data["doc_type"]).label,
                    "count": len(created),
                    "names": "、".join(item.original_name for item in created),
                },
            )
        return _claim_page(claim)


class ClaimFileDownloadView(RoleRequiredMixin, View):
    """GET: one file of a claim, to whoever may see the claim (the same scoping as the claim
    page; another school's claim is a 404). Never served from a public MEDIA_URL."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, file_pk):
        claim = scoping.get_visible_or_404(request.user, Claim, pk=pk)
        item = get_object_or_404(claim.files.all(), pk=file_pk)
        try:
            handle = item.file.storage.open(item.file.name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        # Images open in the browser; PDFs (which may carry scripts) are downloaded.
        response = FileResponse(
            handle, content_type=item.content_type, as_attachment=not item.is_image, filename=item.original_name
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"  # injured persons' papers: no shared caches
        return response


class ClaimFileDeleteView(RoleRequiredMixin, View):
    """POST: remove one file of a claim (whoever may edit the claim)."""

    roles = (Role.STAFF, Role.PRINCIPAL)
    http_method_names = ["post"]

    def post(self, request, pk, file_pk):
        claim = scoping.get_visible_or_404(request.user, Claim.objects.select_related("year"), pk=pk)
        item = get_object_or_404(claim.files.all(), pk=file_pk)
        try:
            services.claim_delete_file(user=request.user, claim=claim, claim_file=item)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except (ValidationError, ConcurrentEditError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("已删除文件“%(name)s”。") % {"name": item.original_name})
        return _claim_page(claim)
