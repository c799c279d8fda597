"""A county's (or a city's) yearly report to the level above, and its history.

A county reports to its city, a city to its province; the level above approves or returns it
with a reason. The states and the allowed moves are :data:`upward.services.TRANSITIONS`. At
each submission the report keeps what it sent (the figures, their fingerprint and the data's
version), so what the level above reads does not move when the data changes later.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workstudy.models import Region, ReportingYear


class RegionSubmission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("未上报")
        SUBMITTED = "submitted", _("已上报")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("上报单位"),
        limit_choices_to={"level__gt": Region.Level.PROVINCE},
    )
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Raised by every transition: a form names the version it was shown, a stale form is refused.
    version = models.PositiveIntegerField(_("版本"), default=1)
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
    # What was sent at the last submission (see upward.snapshot).
    figures = models.JSONField(_("上报时的数据"), default=list, blank=True)
    parts = models.JSONField(_("上报时下级的状态"), default=list, blank=True)
    fingerprint = models.CharField(_("数据指纹"), max_length=64, blank=True)
    data_version = models.PositiveIntegerField(_("年度数据版本"), null=True, blank=True)
    data_stamp = models.CharField(_("数据戳"), max_length=32, blank=True)
    pending_count = models.PositiveIntegerField(_("上报时未审核的下级"), null=True, blank=True)

    class Meta:
        verbose_name = _("逐级上报")
        verbose_name_plural = _("逐级上报")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_region_submission_per_year")]
        ordering = ["-year_id", "region__path"]

    def __str__(self):
        return f"{self.region} {self.year_id}"

    @property
    def frozen(self) -> bool:
        return bool(self.fingerprint)

    @property
    def parts_shown(self) -> list[dict]:
        """A city's counties as sent, each with its status's label."""
        labels = dict(self.Status.choices)
        return [{**part, "status_label": labels.get(part["status"], part["status"])} for part in self.parts]


class RegionSubmissionEvent(models.Model):
    """One move of a report: who, when, from which state to which, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("上报")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")

    submission = models.ForeignKey(
        RegionSubmission, on_delete=models.PROTECT, related_name="events", verbose_name=_("逐级上报"),
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=RegionSubmission.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=RegionSubmission.Status.choices)
    version = models.PositiveIntegerField(_("版本"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    reason = models.TextField(_("原因"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("逐级上报记录")
        verbose_name_plural = _("逐级上报记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.submission} {self.from_status}→{self.to_status}"
