"""A string worked out on first use, cheap to pickle.

Links in cached figures and warnings (``finding_url``, the summary's ``rows_url``) are resolved
only when a page prints them: resolving loads the whole URL configuration, which a PDF built
in a fresh process never needs. ``django.utils.functional.lazy`` does that too, but each of
its proxies rebuilds a class when unpickled: a province's cached summary holds hundreds of
links, and the summary page spent a large part of every view unpickling them.
"""

from __future__ import annotations

from collections.abc import Callable


class LazyStr:
    __slots__ = ("_func", "_args", "_value")

    def __init__(self, func: Callable[..., str], *args):
        self._func, self._args, self._value = func, args, None

    def __str__(self) -> str:
        if self._value is None:
            self._value = str(self._func(*self._args))
        return self._value

    def __bool__(self) -> bool:
        return bool(str(self))

    def __eq__(self, other) -> bool:
        return str(self) == str(other) if isinstance(other, (str, LazyStr)) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __getattr__(self, name: str):
        # str's methods (startswith, endswith, ...) on the resolved value; never for private
        # names, which an object being unpickled looks up before its slots are set.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(str(self), name)

    def __repr__(self) -> str:
        return f"LazyStr({self._func.__name__}{self._args!r})"

    def __getstate__(self):
        return (self._func, self._args, self._value)

    def __setstate__(self, state):
        self._func, self._args, self._value = state
