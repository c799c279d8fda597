"""Core models every app shares: users and roles, schools, reporting years and each
school's yearly submission, plus the abstract base for all domain data."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import limits


class ConcurrentEditError(Exception):
    """Raised when a row changed since the editor loaded it (optimistic locking)."""

    message = _("这条记录已被他人修改，请刷新页面查看最新内容后再保存。")

    def __str__(self):
        return str(self.message)


def _choice_labels(field) -> dict | None:
    """A field's choices as value -> label (the labels untranslated, lazy), built once per field;
    None for choices given as a callable, which may change."""
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        if not isinstance(field.choices, (list, tuple)):
            return None
        labels = field._choice_labels = {make_hashable(value): label for value, label in field.flatchoices}
    return labels


class ChoiceLabels:
    """``get_FOO_display()`` from each field's choices read once, not at every call.

    Django's builds a dict of all of the field's choices at each call and hashes every label on
    the way, and hashing a lazily translated label translates it (29–67 µs a call, measured on
    the load test's data; 5–8 µs here). Here only the label shown is translated, in the
    language of the moment, as Django's does."""

    def _get_FIELD_display(self, field):
        labels = _choice_labels(field)
        if labels is None:
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        try:
            label = labels.get(make_hashable(value), value)
        except TypeError:  # a value that cannot be a choice's (Django's own answer then)
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


class DomainModel(ChoiceLabels, models.Model):
    """Base for every row of domain data.

    Gives each row a change history (django-simple-history) and a ``version`` used for
    optimistic locking: saving a row whose version is stale raises
    :class:`ConcurrentEditError` instead of silently overwriting someone else's edit.
    """

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # One transaction: the row, its history record and what is kept from it (the school's
        # yearly figures) are saved together or not at all.
        with transaction.atomic():
            if self._state.adding or kwargs.get("force_insert"):
                return super().save(*args, **kwargs)
            bumped = type(self)._base_manager.filter(pk=self.pk, version=self.version).update(
                version=models.F("version") + 1
            )
            if not bumped:
                raise ConcurrentEditError()
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
            return super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        """Django's field checks, each refusal worded by :mod:`workstudy.limits` (the field's
        name and its allowed range, never Django's generic text)."""
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            raise portal_field_errors(self, exc) from None


def portal_field_errors(instance, exc: ValidationError) -> ValidationError:
    """``exc`` from ``clean_fields()`` with each message in the portal's words, one per field."""
    from .limits import model_error

    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict = {}
    for name, field_errors in exc.error_dict.items():
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a model field: leave its errors as they are
            errors[name] = field_errors
            continue
        value = getattr(instance, field.attname, None)
        worded = []
        for error in field_errors:
            text = model_error(field, error, value) if error.code else None
            worded.append(ValidationError(text, code=error.code) if text else error)
        unique = {str(e.message if e.params is None else e.message % e.params): e for e in worded}
        errors[name] = list(unique.values())
    return ValidationError(errors)


class Role(models.TextChoices):
    STAFF = "staff", _("勤工办工作人员")
    PRINCIPAL = "principal", _("校长")
    AUDITOR = "auditor", _("审计")


class Region(models.Model):
    """A province, a city (地级市) or a county (县、市、区): the tree of areas above the schools.

    Three fixed levels, a few hundred rows at most, so a plain tree: ``parent`` and a
    materialized ``path`` of zero-padded ids ("00001/00002/00007/"); a region's subtree is
    ``path__startswith=region.path``. Regions do not move (the path is set once, at creation).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("地级市")
        COUNTY = 3, _("县（市、区）")

    name = models.CharField(_("名称"), max_length=50)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )
    path = models.CharField(_("路径"), max_length=60, unique=True, editable=False, null=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not self.path:
                prefix = self.parent.path if self.parent_id else ""
                self.path = f"{prefix}{self.pk:05d}/"
                type(self).objects.filter(pk=self.pk).update(path=self.path)

    def clean(self):
        super().clean()
        parent_level = self.parent.level if self.parent_id else 0
        if self.level != parent_level + 1:
            raise ValidationError({"level": _("省下设地级市，地级市下设县（市、区）；省没有上级。")})
        if self.pk and self.parent_id != type(self).objects.filter(pk=self.pk).values_list("parent_id", flat=True).first():
            raise ValidationError({"parent": _("区域的上级不能更改。")})

    @property
    def is_county(self) -> bool:
        return self.level == self.Level.COUNTY

    def bureau_name(self) -> str:
        """The region's education authority, as the header, the summary's issuer and the mails to
        its schools name it: a province's 教育厅, a city's or a county's 教育局; the deployment's
        own county is ``PORTAL_BUREAU_NAME``, the name the deployment was set up with."""
        from django.utils.translation import gettext

        if self.level == self.Level.COUNTY and self.name == settings.PORTAL_COUNTY_NAME:
            return settings.PORTAL_BUREAU_NAME
        if self.level == self.Level.PROVINCE:
            return gettext("%(region)s教育厅") % {"region": self.name}
        return gettext("%(region)s教育局") % {"region": self.name}

    def subtree(self):
        return type(self).objects.filter(path__startswith=self.path)

    def county_ids(self) -> list[int]:
        """Ids of the counties in this region (itself, for a county)."""
        if self.is_county:
            return [self.pk]
        return list(self.subtree().filter(level=self.Level.COUNTY).values_list("pk", flat=True))

    def contains(self, other) -> bool:
        return other is not None and other.path.startswith(self.path)

    @classmethod
    def chain(cls, *names: str) -> "Region":
        """The region at the end of ``names`` (province, city, county), made if missing."""
        parent = None
        for level, name in enumerate(names, start=1):
            parent, _created = cls.objects.get_or_create(parent=parent, name=name, defaults={"level": level})
        return parent

    @classmethod
    def default_county(cls) -> "Region":
        """The deployment's first county (江西省 → 鹰潭市 → ``PORTAL_COUNTY_NAME``)."""
        return cls.chain(*default_county_names())


def county_field():
    """The county a bureau-level row (one that belongs to no school: an enterprise, a policy, a
    service centre...) belongs to. Not a form field: it is set from the creating user's county
    (:func:`workstudy.scoping.stamp_county`), and the database refuses a row without one."""
    return models.ForeignKey(
        "workstudy.Region", on_delete=models.PROTECT, related_name="+", editable=False, blank=True,
        verbose_name=_("所属县（市、区）"),
    )


def default_county_names() -> tuple[str, str, str]:
    """The province, city and county a one-county deployment starts with (the county's name
    from ``PORTAL_COUNTY_NAME``)."""
    return ("江西省", "鹰潭市", settings.PORTAL_COUNTY_NAME)


class User(ChoiceLabels, AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.STAFF)
    school = models.ForeignKey(
        "workstudy.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("勤工办工作人员和审计账号：所属的县（市、区）、地级市或省，只能查看该区域的学校与数据。"),
    )
    is_director = models.BooleanField(
        _("可审核与锁定年度"),
        default=False,
        help_text=_("勤工办主任：可审核、退回学校填报，锁定与重新开放年度。"),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="principal", school__isnull=False) | ~models.Q(role="principal")),
                name="principal_has_school",
            ),
            models.CheckConstraint(
                condition=(models.Q(role="principal") | models.Q(school__isnull=True)),
                name="only_principal_has_school",
            ),
        ]

    def clean(self):
        super().clean()
        if self.role == Role.PRINCIPAL and not self.school_id:
            raise ValidationError({"school": _("校长账号必须关联一所学校。")})
        if self.role != Role.PRINCIPAL and self.school_id:
            raise ValidationError({"school": _("只有校长账号关联学校。")})
        if self.role == Role.PRINCIPAL and self.region_id:
            raise ValidationError({"region": _("校长账号属于学校所在的县（市、区），不另设区域。")})
        if self.role != Role.PRINCIPAL and not self.region_id:
            raise ValidationError({"region": _("请选择该账号所属的区域（县、市或省）。")})
        if self.is_director and self.role != Role.STAFF:
            raise ValidationError({"is_director": _("只有勤工办工作人员可以审核与锁定。")})

    @property
    def is_bureau(self) -> bool:
        return self.is_active and self.role == Role.STAFF

    @property
    def is_principal(self) -> bool:
        return self.is_active and self.role == Role.PRINCIPAL

    @property
    def is_auditor(self) -> bool:
        return self.is_active and self.role == Role.AUDITOR

    @property
    def can_approve(self) -> bool:
        from . import scoping

        return scoping.may_approve(self)


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    NINE_YEAR = "nine_year", _("九年一贯制学校")
    CENTRAL = "central", _("中心学校")
    COMPLETE = "complete", _("完全中学")
    VOCATIONAL = "vocational", _("职业中学")
    AGRI_TECH = "agri_tech", _("农技校")


class AreaClass(models.TextChoices):
    URBAN = "urban", _("城区")
    RURAL = "rural", _("农村")
    MOUNTAIN = "mountain", _("山区")


SCHOOL_NAME_TAKEN = _("本县（市、区）已有同名学校。")


class School(ChoiceLabels, models.Model):
    code = models.CharField(_("学校代码"), max_length=20, unique=True)
    # A name is unique within its county only (two counties may each have a 第一中学); the
    # code is unique nationally, so a reader of several counties names a school by its code.
    name = models.CharField(_("学校名称"), max_length=100)
    township = models.CharField(_("乡镇"), max_length=50, blank=True)
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="schools", verbose_name=_("所属县（市、区）"),
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    kind = models.CharField(_("学校类型"), max_length=16, choices=SchoolKind.choices)
    area_class = models.CharField(_("地域"), max_length=16, choices=AreaClass.choices, default=AreaClass.RURAL)
    is_boarding = models.BooleanField(_("寄宿制"), default=False)
    has_dormitory = models.BooleanField(_("有学生公寓"), default=False)
    has_canteen = models.BooleanField(_("有学生食堂"), default=False)
    # Staff, students, boarders and poor students differ from year to year: they live only
    # on the school's Submission for the year (the counts form), never here.
    active = models.BooleanField(_("在用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"], name="school_unique_name_in_county",
                violation_error_message=SCHOOL_NAME_TAKEN, violation_error_code="name_taken_in_county",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.county_id and self.county.level != Region.Level.COUNTY:
            raise ValidationError({"county": _("学校只能属于县（市、区），不能直接属于地级市或省。")})

    def validate_constraints(self, exclude=None):
        """The database's constraints, with the name's uniqueness in the county reported on the
        name field. Checked whenever the name is, even on a form without the county (the
        portal's school form: the county is the user's, set on the instance)."""
        exclude = set(exclude or ())
        errors: dict = {}
        try:
            super().validate_constraints(exclude=exclude | {"name"})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "name" not in exclude and self.county_id and self.name and self.name_taken_in_county():
            errors.setdefault("name", []).append(ValidationError(SCHOOL_NAME_TAKEN, code="name_taken_in_county"))
        if errors:
            raise ValidationError(errors)

    def name_taken_in_county(self) -> bool:
        """Whether another school of this school's county has its name."""
        others = type(self)._default_manager.filter(county_id=self.county_id, name=self.name)
        if self.pk is not None and not self._state.adding:
            others = others.exclude(pk=self.pk)
        return others.exists()


class ReportingYear(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("填报中")
        LOCKED = "locked", _("已锁定")

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("锁定人"),
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    data_version = models.PositiveIntegerField(
        _("数据版本"), default=1, help_text=_("每次锁定或重新开放时递增，写入总结的核验信息。")
    )
    county_locked = models.BooleanField(
        _("已有县锁定"), default=False, editable=False,
        help_text=_("至少一个县（市、区）已锁定本年度（各县的锁定见县级年度锁定）。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("统计年度")
        verbose_name_plural = _("统计年度")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}"

    def save(self, *args, **kwargs):
        if getattr(self, "_county_view", None) is not None:
            raise TypeError("a county's view of a year (workstudy.locks.for_county) is not saved")
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class CountyLock(models.Model):
    """One county's lock of a reporting year: its rows of that year become read-only and its
    summary and documents are kept as they were, whatever the other counties still enter.

    ``ReportingYear.status`` is LOCKED once every county with schools in the year has locked
    (and stays the lock of a deployment of one county); :mod:`workstudy.locks` answers for a
    county from both."""

    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="county_locks",
                             verbose_name=_("年度"))
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("锁定人"),
    )
    locked_at = models.DateTimeField(_("锁定时间"))

    class Meta:
        verbose_name = _("县级年度锁定")
        verbose_name_plural = _("县级年度锁定")
        constraints = [models.UniqueConstraint(fields=["year", "county"], name="one_lock_per_county_year")]

    def __str__(self):
        return f"{self.year_id} {self.county_id}"


class CountyDeadline(models.Model):
    """The date one county's schools should have submitted a year by, where the year has schools
    of several counties (each county's director sets the county's own; a deployment of one county
    keeps it on the year itself). No row: the year's date."""

    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="county_deadlines",
                             verbose_name=_("年度"))
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("县级填报截止日期")
        verbose_name_plural = _("县级填报截止日期")
        constraints = [models.UniqueConstraint(fields=["year", "county"], name="one_deadline_per_county_year")]

    def __str__(self):
        return f"{self.year_id} {self.county_id} {self.deadline}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


# A principal may change the school's rows only in these states (the one rule; see scoping).
PRINCIPAL_EDITABLE_STATES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class Submission(DomainModel):
    """One school's return for one reporting year, and its counts for that year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("学校"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    staff_count = limits.count_field(_("教职工人数"), null=True, blank=True)
    student_count = limits.count_field(_("学生人数"), null=True, blank=True)
    boarding_count = limits.count_field(_("寄宿生人数"), null=True, blank=True)
    poor_student_count = limits.count_field(_("贫困家庭学生人数"), null=True, blank=True)
    explanation = models.TextField(
        _("较上年大幅变化的说明"), blank=True,
        help_text=_("面积或收入较上年变化超过50%时，上报前须写明原因。"),
    )
    returned_reason = models.TextField(_("退回原因"), blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("上报人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("审核人"),
    )

    class Meta:
        verbose_name = _("学校年度填报")
        verbose_name_plural = _("学校年度填报")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="one_submission_per_school_year")]
        ordering = ["-year_id", "school__code"]

    def __str__(self):
        return f"{self.school} {self.year_id}"

    def save(self, *args, **kwargs):
        # A return stays the return of its school and year: whether one exists says which schools
        # take part in a year, and the data versions follow only its creation and deletion
        # (workstudy.freshness).
        loaded = getattr(self, "_loaded_place", None)
        if loaded and None not in loaded and not self._state.adding and loaded != (self.school_id, self.year_id):
            raise ValidationError(_("一份填报不能改到别的学校或年度；请为那所学校或那个年度另建填报。"))
        return super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_place = (instance.__dict__.get("school_id"), instance.__dict__.get("year_id"))
        return instance

    def clean(self):
        super().clean()
        from .rules import check_submission_counts

        check_submission_counts(self)


class WorkflowEvent(ChoiceLabels, models.Model):
    """Every workflow step: submit, return, approve, lock, reopen (who, when, why)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("上报")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("审核通过")
        LOCK = "lock", _("锁定年度")
        REOPEN = "reopen", _("重新开放年度")
        REOPEN_SCHOOL = "reopen_school", _("重新开放学校填报")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="events", verbose_name=_("年度"))
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    county = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("县（市、区）"), help_text=_("锁定或重新开放的县；空：全部。"))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    reason = models.TextField(_("原因"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.year_id} {self.school or ''}"


class ImportUpload(models.Model):
    """An uploaded .xlsx kept between its preview and its confirmation.

    Stored in the database (not on one server's disk) so that any app server behind the
    load balancer can finish the import the user previewed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    year = models.ForeignKey(ReportingYear, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = _("导入文件")

    def __str__(self):
        return f"{self.key}: {self.filename}"


class FrozenFindings(models.Model):
    """A locked year's open warnings as they read at its lock, in one language: the review
    screens, the staff grid, the module overviews and the summary's appendix of that year show
    these, whatever is edited later in rows that belong to no year (a school's or base's name,
    a rule's wording). ``rows`` is a list of the findings' fields (see
    :func:`workstudy.rules.freeze_findings`). Dropped when the year is reopened."""

    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    language = models.CharField(_("语言"), max_length=16)
    rows = models.JSONField(_("提醒"), default=list)
    taken_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("锁定时的提醒")
        verbose_name_plural = _("锁定时的提醒")
        constraints = [models.UniqueConstraint(fields=["year", "language"], name="one_frozen_findings_per_language")]

    def __str__(self):
        return f"{self.year_id} {self.language}"


class WarningNote(models.Model):
    """A principal's explanation of one open warning of the school's year, and staff's
    acceptance of it. Attached to the warning's identity (:attr:`workstudy.rules.Finding.key`):
    if the figures it names change, it is a new warning and needs its own explanation. The
    summary's appendix lists accepted warnings with their explanations apart from open ones."""

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    key = models.CharField(_("提醒标识"), max_length=40)
    code = models.CharField(_("规则编号"), max_length=16)
    message = models.TextField(_("提醒内容"))
    explanation = models.TextField(_("学校的说明"))
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("说明人"))
    explained_at = models.DateTimeField(_("说明时间"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("接受人"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("提醒说明")
        verbose_name_plural = _("提醒说明")
        constraints = [models.UniqueConstraint(fields=["year", "school", "key"], name="one_note_per_warning")]
        ordering = ["code", "id"]

    def __str__(self):
        return f"{self.code} {self.school_id} {self.year_id}"

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class Reminder(ChoiceLabels, models.Model):
    """A message from the bureau to a school about its return: a 催报 to a school that has not
    submitted, or the notice that its return was sent back. Shown on the principal's dashboard
    and, where the principal has an e-mail address, e-mailed (``emailed_to``). Every one is kept."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("催报")
        RETURNED = "returned", _("退回通知")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    message = models.TextField(_("内容"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("发送人"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    emailed_to = models.TextField(_("已发送邮件至"), blank=True)

    class Meta:
        verbose_name = _("催报与通知")
        verbose_name_plural = _("催报与通知")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.school_id} {self.year_id}"
