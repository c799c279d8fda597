import pickle

from workstudy.lazystr import LazyStr

calls = []


def _resolve(a, b):
    calls.append((a, b))
    return f"/{a}/{b}/"


def test_resolved_once_on_first_use_and_behaves_like_its_string():
    calls.clear()
    value = LazyStr(_resolve, "x", 1)
    assert calls == []  # nothing resolved until used
    assert str(value) == "/x/1/" and value == "/x/1/" and value.startswith("/x") and bool(value)
    assert value + "?a=1" == "/x/1/?a=1" and "p" + value == "p/x/1/"
    assert calls == [("x", 1)]
    assert not LazyStr(lambda: "")


def test_pickles_unresolved_and_resolved():
    calls.clear()
    fresh = pickle.loads(pickle.dumps(LazyStr(_resolve, "y", 2)))
    assert calls == [] and str(fresh) == "/y/2/"
    resolved = LazyStr(_resolve, "z", 3)
    str(resolved)
    again = pickle.loads(pickle.dumps(resolved))
    assert str(again) == "/z/3/" and calls == [("y", 2), ("z", 3)]  # not resolved a second time
