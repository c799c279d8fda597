"""The data-quality workbook: the appendix's two lists in full (the PDF shows the first
:data:`reports.figures.APPENDIX_ROWS` of each)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from workstudy.xlsx_writer import Sheet, write_xlsx

from .figures import quality_lists


def quality_workbook(year: int, county=None) -> bytes:
    """The lists of the whole deployment, or of ``county`` (a county Region) when given."""
    from . import figures, milestones

    findings, pending = quality_lists(year, None if county is None else [county.pk])
    # The order of the dated facts (RP-01/02) is checked on the summary, not on any one school's data.
    facts = figures.compute_cached(year, county).data["milestones_list"]
    findings, accepted = figures.split_accepted(year, [*findings, *milestones.check(facts, year)])
    out = io.BytesIO()
    write_xlsx(out, [
        Sheet(_("未审核通过的填报"), [_("学校代码"), _("学校"), _("填报状态")],
              ((p["code"], p["school"], str(p["status"])) for p in pending)),
        Sheet(_("未处理的校验提醒"), [_("规则"), _("规则名称"), _("学校"), _("对象"), _("说明")],
              ((f.rule.code, str(f.rule.title), str(f.school_name or _("全市")), str(f.obj_label or ""),
                str(f.message)) for f in findings)),
        Sheet(_("已说明并接受的提醒"), [_("规则"), _("规则名称"), _("学校"), _("对象"), _("说明"), _("学校的说明")],
              ((f.rule.code, str(f.rule.title), str(f.school_name or _("全市")), str(f.obj_label or ""),
                str(f.message), note.explanation) for f, note in accepted)),
    ])
    return out.getvalue()
