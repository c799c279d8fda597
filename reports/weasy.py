"""Import WeasyPrint without paying for its C declarations on every process start.

``weasyprint.text.ffi`` declares ~450 lines of Pango/HarfBuzz/fontconfig C types with
``cffi.FFI().cdef(...)`` each time it is imported; pycparser parses them in pure Python, which
is about a fifth of a cold summary PDF on the demo county. cffi can do that
parsing once and write the result as a small Python module (its "out-of-line ABI mode"), which
loads at once. :func:`load` does exactly that:

1. read the declarations from the installed ``weasyprint/text/ffi.py``;
2. the first time (per WeasyPrint/cffi version) have cffi write the parsed module into
   ``settings.WEASYPRINT_FFI_CACHE`` (``var/cache/`` by default), named after a SHA-256 of the
   declarations, the cffi version and the Python version;
3. run WeasyPrint's own ``ffi.py`` with its ``ffi`` object taken from that module — everything
   else in it (loading the libraries, the helper functions) is WeasyPrint's code, unchanged.

Anything unexpected (a WeasyPrint whose ``ffi.py`` has another shape, a read-only cache
directory, a cffi without out-of-line support) falls back to the plain ``import weasyprint``, so
the worst case is the old speed. ``tests/reports/test_weasy.py`` checks both paths give the
same PDF text and fonts.

Second, WeasyPrint imports fontTools' subsetter and variable-font instancer when it starts
(the largest package of a cold PDF's imports), but calls them only when HarfBuzz
cannot subset a font or a font is variable — neither happens with the portal's fonts. While
WeasyPrint is imported, :data:`DEFERRED` stand-ins take their place; a stand-in imports
the real module the first time it is used, and after the import nothing else sees them.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import logging
import re
import sys
import types
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FFI_MODULE = "weasyprint.text.ffi"
_CDEF = re.compile(r"ffi = cffi\.FFI\(\)\nffi\.cdef\('''(?P<cdef>.*?)'''\)", re.S)

# How the last load() went: "prebuilt" (declarations from the cache), "plain" (fallback or
# WeasyPrint already imported), or "" before the first call.
state = {"mode": "", "reason": ""}


def _ffi_source() -> tuple[Path, str] | None:
    spec = importlib.util.find_spec("weasyprint")  # finds the package without importing it
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "text" / "ffi.py"
    return (path, path.read_text(encoding="utf-8")) if path.is_file() else None


def cache_dir() -> Path:
    return Path(getattr(settings, "WEASYPRINT_FFI_CACHE", settings.BASE_DIR / "var" / "cache"))


def _prebuilt_ffi(cdef: str):
    """The parsed declarations as a cffi FFI object, written to the cache the first time."""
    import cffi

    digest = hashlib.sha256(
        "\0".join((cdef, cffi.__version__, sys.version)).encode()
    ).hexdigest()[:20]
    name = f"_weasyprint_ffi_{digest}"
    target = cache_dir() / f"{name}.py"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        builder = cffi.FFI()
        builder.cdef(cdef)
        builder.set_source(name, None)
        partial = target.with_suffix(f".{digest}.tmp")
        with contextlib.redirect_stdout(io.StringIO()):  # cffi prints "generating <file>"
            builder.emit_python_code(str(partial))
        partial.replace(target)  # atomic: a concurrent process never reads half a file
        logger.info("wrote the parsed WeasyPrint C declarations to %s", target)
    spec = importlib.util.spec_from_file_location(name, target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi


def _install() -> str:
    """Put a ``weasyprint.text.ffi`` built on the prebuilt declarations into ``sys.modules``."""
    found = _ffi_source()
    if found is None:
        return "weasyprint/text/ffi.py not found"
    path, source = found
    match = _CDEF.search(source)
    if match is None:
        return "weasyprint/text/ffi.py has an unexpected shape"
    ffi = _prebuilt_ffi(match.group("cdef"))
    module = types.ModuleType(FFI_MODULE)
    module.__file__ = str(path)
    module.__package__ = FFI_MODULE.rpartition(".")[0]
    module.__dict__["_PREBUILT_FFI"] = ffi
    code = compile(source[:match.start()] + "ffi = _PREBUILT_FFI" + source[match.end():], str(path), "exec")
    sys.modules[FFI_MODULE] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - WeasyPrint's own module source, from its installed file
    except BaseException:
        sys.modules.pop(FFI_MODULE, None)
        raise
    return ""


# Modules WeasyPrint imports at start-up but rarely calls: module -> the names it imports
# from it with ``from module import name`` (those become functions that load the module).
DEFERRED = {
    "fontTools.subset": (),  # ``from fontTools import subset``: used as ``subset.Options`` ...
    "fontTools.varLib.instancer": ("instantiateVariableFont",),
}


class _Deferred(types.ModuleType):
    """Stands in for a module until its first use, then hands over to the real one."""

    def __init__(self, name: str, functions: tuple[str, ...]):
        super().__init__(name)
        for function in functions:
            setattr(self, function, self._forward(function))

    def _real(self):
        real = sys.modules.get(self.__name__)
        if real is None or real is self:
            sys.modules.pop(self.__name__, None)
            real = importlib.import_module(self.__name__)
        return real

    def _forward(self, function: str):
        def call(*args, **kwargs):
            return getattr(self._real(), function)(*args, **kwargs)

        call.__name__ = function
        return call

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._real(), attr)


@contextlib.contextmanager
def _deferred_imports():
    placed = []
    for name, functions in DEFERRED.items():
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name, functions)
            placed.append(name)
    try:
        yield
    finally:
        for name in placed:
            if isinstance(sys.modules.get(name), _Deferred):
                del sys.modules[name]  # later imports get the real module


def load():
    """``import weasyprint``, fast the second time on this machine (see the module docstring)."""
    if "weasyprint" not in sys.modules and FFI_MODULE not in sys.modules:
        try:
            reason = _install()
        except Exception as exc:  # noqa: BLE001 - any failure here only costs speed
            reason = f"{type(exc).__name__}: {exc}"
        state.update(mode="plain" if reason else "prebuilt", reason=reason)
        if reason:
            logger.warning("WeasyPrint imported the slow way: %s", reason)
    elif not state["mode"]:
        state.update(mode="plain", reason="weasyprint was imported before reports.weasy.load()")
    if "weasyprint" not in sys.modules:
        with _deferred_imports():
            import weasyprint
    import weasyprint

    return weasyprint
