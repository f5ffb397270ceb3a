"""cnnbook.show_source: the one way chapters print the library's code."""

import inspect

import pytest

import cnnbook
from cnnbook import conv, show_source


def test_show_source_by_name_and_by_object_print_the_whole_function(capsys):
    assert show_source("cnnbook.conv.conv2d") is None  # printed once, nothing echoed by a notebook
    by_name = capsys.readouterr().out
    assert by_name == show_source(conv.conv2d, show=False) == inspect.getsource(conv.conv2d)
    assert by_name.startswith("def conv2d(") and by_name.rstrip().endswith("return out")


def test_without_docstring_keeps_every_code_line_and_drops_only_the_docstring():
    full = show_source(conv.im2col, show=False).splitlines()
    code = show_source(conv.im2col, docstring=False, show=False).splitlines()
    doc_end = next(i for i, line in enumerate(full) if i > 1 and line.strip() == '"""')
    assert code == full[:1] + full[doc_end + 1:]       # the def line, then every line after the docstring
    assert all('"""' not in line for line in code)


def test_methods_and_classes_are_dedented():
    code = show_source("cnnbook.nn.Conv2d.forward", docstring=False, show=False)
    assert code.startswith("def forward(self, x):") and "conv2d_core" in code
    assert show_source(cnnbook.nn.ConvCache, show=False).startswith("@dataclass\nclass ConvCache")


@pytest.mark.parametrize("bad,exc,pattern", [
    ("cnnbook.conv.no_such_thing", ValueError, r"cnnbook.conv has no attribute 'no_such_thing'"),
    ("nosuchmodule.f", ValueError, r"does not start with an importable module"),
    ("", TypeError, r"name must be a dotted name"),
    (3, TypeError, r"obj must be a function, class or method with source code, got obj=3"),
])
def test_bad_names_say_what_is_wrong(bad, exc, pattern):
    with pytest.raises(exc, match=pattern):
        show_source(bad, show=False)


def test_show_must_be_a_bool():
    with pytest.raises(TypeError, match="show must be True or False, got show='no'"):
        show_source(conv.conv2d, show="no")
