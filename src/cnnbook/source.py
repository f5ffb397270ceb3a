"""Show the library's own code in a chapter: one helper, by object or by name.

Chapters print cnnbook's real source rather than a copy, so the text cannot
drift from the code. They call :func:`show_source` instead of slicing the
string ``inspect.getsource`` returns, which shows the wrong lines after an edit.
"""

import ast
import importlib
import inspect
import textwrap

from ._validate import check_bool


def resolve(name):
    """The object a dotted name such as ``'cnnbook.conv.conv2d'`` or ``'cnnbook.nn.Conv2d.forward'`` means.

    Examples
    --------
    >>> resolve('cnnbook.conv.im2col').__name__
    'im2col'
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a dotted name such as 'cnnbook.conv.conv2d', got name={name!r}")
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):   # the longest prefix that is a module
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for i, attr in enumerate(parts[cut:], start=cut):
            if not hasattr(obj, attr):
                raise ValueError(f"name={name!r}: {'.'.join(parts[:i])} has no attribute {attr!r}")
            obj = getattr(obj, attr)
        return obj
    raise ValueError(f"name={name!r} does not start with an importable module, e.g. 'cnnbook.conv.conv2d'")


def _without_docstring(source):
    """``source`` (one def or class, dedented) minus its docstring lines."""
    node = ast.parse(source).body[0]
    first = node.body[0] if node.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return source
    lines = source.splitlines()
    return "\n".join(lines[:first.lineno - 1] + lines[first.end_lineno:]) + "\n"


def show_source(obj, *, docstring=True, show=True):
    """Print the source code of a cnnbook function, class or method (or return it).

    Parameters
    ----------
    obj : function, class, method or str
        The object itself or its dotted name, e.g. ``'cnnbook.conv.conv2d'``.
    docstring : bool, default True
        False leaves the docstring out, to show the code alone.
    show : bool, default True
        Print it and return None (so a notebook cell shows it once); False
        returns it instead.

    Returns
    -------
    str or None
        With ``show=False``, the source, dedented (a method's source starts at column 0).

    Examples
    --------
    >>> code = show_source('cnnbook.conv.conv2d', docstring=False, show=False)
    >>> print(code.splitlines()[0])
    def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    >>> 'Parameters' in code         # the docstring is left out
    False
    """
    target = resolve(obj) if isinstance(obj, str) else obj
    check_bool(docstring, "docstring")
    check_bool(show, "show")
    try:
        source = textwrap.dedent(inspect.getsource(target))
    except (TypeError, OSError) as err:
        raise TypeError(f"obj must be a function, class or method with source code, got obj={obj!r}") from err
    if not docstring:
        source = _without_docstring(source)
    if show:
        print(source, end="")
        return None
    return source
