"""``{% load scoping %}`` then ``{% if row|can_edit:user %}``: whether a row's edit and delete
links are shown. The answer comes from :func:`workstudy.scoping.obj_write_block_reason`, the
same function that refuses the write, so a link is never shown for a row that cannot be
changed (locked year, or a principal's return already submitted or approved)."""

from django import template

from workstudy import scoping

register = template.Library()


@register.filter
def can_edit(row, user) -> bool:
    if row is None or user is None:
        return False
    return scoping.row_write_block_reason(user, row) is None


@register.filter
def edit_block_reason(row, user) -> str:
    """Why ``row`` cannot be changed (empty when it can)."""
    if row is None or user is None:
        return ""
    return scoping.row_write_block_reason(user, row) or ""
