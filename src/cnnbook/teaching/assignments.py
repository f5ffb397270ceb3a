"""The graded assignments: one per session of chapter 13's syllabus, each a fixed list of checks.

An assignment is the lab of one session. Each of its checks names the
function the student defines in the submitted notebook, the checker of
:mod:`cnnbook.exercises` that judges it, the book chapter whose solution
cell holds a model answer, and the functions of ``cnnbook`` that compute
the same answer. Those are out of reach while grading: the sandbox's copy
of the package replaces them with a function that raises, so a solution
that delegates to the library fails with a clear reason.

The list of checks is the denominator of the grade: a check whose function
is missing, broken, slow or crashing scores 0, it is never left out.
"""

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

import cnnbook.exercises as exercises


@dataclass(frozen=True)
class Check:
    """One graded exercise.

    Attributes
    ----------
    name : str
        Name of the checker in :mod:`cnnbook.exercises`, e.g. ``"check_conv2d"``.
    function : str
        Name of the function the student defines, e.g. ``"my_conv2d"``.
    chapter : str
        Chapter (notebook stem) whose solution cell defines ``function``.
    library : tuple of str
        ``"module:attribute"`` of the package functions that compute the
        answer directly, replaced in the sandbox by a function that raises.
    points : int
        Points of the check.
    """

    name: str
    function: str
    chapter: str
    library: tuple = ()
    points: int = 1

    @property
    def checker(self):
        """The checker function, e.g. :func:`cnnbook.exercises.check_conv2d`."""
        return getattr(exercises, self.name)


@dataclass(frozen=True)
class Assignment:
    """The lab of one session: a name for the command line, the session's title and its checks."""

    name: str
    title: str
    checks: tuple

    @property
    def max_score(self):
        return sum(c.points for c in self.checks)


ASSIGNMENTS = (
    Assignment("lab1-images", "Images as arrays; from dense layers to convolutions", (
        Check("check_to_nchw", "to_nchw", "01_pixels"),
        Check("check_fc_param_count", "fc_params", "02_fc_to_cnn", ("nn:Linear",)),
    )),
    Assignment("lab2-convolution", "Convolution and its output size", (
        Check("check_conv2d", "my_conv2d", "03_convolution",
              ("conv:conv2d", "fast:conv2d", "fast:conv2d_core", "naive:conv2d_naive")),
        Check("check_output_size", "my_output_size", "04_output_size",
              ("shapes:conv_output_size", "shapes:pool_output_size", "geometry:conv_geometry")),
    )),
    Assignment("lab3-pooling", "Pooling and architectures", (
        Check("check_max_pool", "my_max_pool", "05_pooling",
              ("pool:max_pool2d", "pool:max_pool2d_forward", "naive:max_pool2d_naive")),
        Check("check_param_count", "conv_param_count", "06_architectures",
              ("arch:layer_row", "arch:layer_costs", "arch:trace_layers", "nn:Conv2d")),
    )),
    Assignment("lab4-backprop", "Losses and the backward pass of a convolution", (
        Check("check_softmax_cross_entropy", "my_softmax_cross_entropy", "07_losses",
              ("losses:softmax_cross_entropy", "losses:pixel_softmax_cross_entropy")),
        Check("check_conv2d_input_grad", "my_conv2d_input_grad", "08_backprop_conv",
              ("conv:conv2d_backward", "fast:conv2d_backward", "fast:conv2d_backward_core",
               "naive:conv2d_backward_naive")),
    )),
    Assignment("lab5-training", "Pooling and ReLU backward; training a CNN", (
        Check("check_max_pool_backward", "my_max_pool_backward", "09_backprop_pool_relu",
              ("pool:max_pool2d_backward", "pool:max_pool2d_backward_from_argmax",
               "naive:max_pool2d_backward_naive")),
        Check("check_sgd_momentum_step", "my_sgd_momentum_step", "10_training", ("optim:SGD",)),
    )),
    Assignment("lab6-deeper", "(optional) Deeper networks and beyond; projects", (
        Check("check_batch_norm_backward", "my_batch_norm_backward", "11_deeper",
              ("norm:batch_norm2d_backward", "naive:batch_norm2d_backward_naive", "nn:BatchNorm2d")),
        Check("check_conv_transpose_output_size", "my_conv_transpose_output_size", "12_beyond",
              ("shapes:conv_transpose_output_size", "conv:conv_transpose2d", "fast:conv_transpose2d",
               "naive:conv_transpose2d_naive", "geometry:prepare_conv_transpose2d")),
    )),
)


def get_assignment(name):
    """The assignment called ``name``.

    Examples
    --------
    >>> [c.function for c in get_assignment("lab2-convolution").checks]
    ['my_conv2d', 'my_output_size']
    """
    for assignment in ASSIGNMENTS:
        if assignment.name == name:
            return assignment
    known = ", ".join(a.name for a in ASSIGNMENTS)
    raise ValueError(f"assignment must be one of {known}; got assignment={name!r}")


def list_assignments():
    """Text listing every assignment with its checks, for ``grade --list``.

    Examples
    --------
    >>> print(list_assignments().splitlines()[0])
    lab1-images  (2 points)  Images as arrays; from dense layers to convolutions
    """
    lines = []
    for a in ASSIGNMENTS:
        lines.append(f"{a.name}  ({a.max_score} point{'s' * (a.max_score != 1)})  {a.title}")
        for c in a.checks:
            lines.append(f"    {c.name:34s} grades {c.function}()  [{c.points} point{'s' * (c.points != 1)}]")
    return "\n".join(lines)


def stub_source(check):
    """Python source that, appended to a module, puts ``check``'s library functions out of reach.

    Returns ``{module: source}`` for the modules of ``check.library``.
    """
    by_module = {}
    for entry in check.library:
        module, attr = entry.split(":")
        message = (f"cnnbook.{module}.{attr} is the function this exercise asks you to write: "
                   f"{check.name} grades your own {check.function}, and the library's version is "
                   "not available while grading")
        if isinstance(getattr(importlib.import_module(f"cnnbook.{module}"), attr), type):
            stub = (f"\n\nclass {attr}:  # put out of reach while grading\n"
                    f"    def __init__(self, *args, **kwargs):\n        raise RuntimeError({message!r})\n")
        else:
            stub = (f"\n\ndef {attr}(*args, **kwargs):  # put out of reach while grading\n"
                    f"    raise RuntimeError({message!r})\n")
        by_module.setdefault(module, []).append(stub)
    return {m: "".join(parts) for m, parts in by_module.items()}


def solution_source(check, book_dir):
    """Source of the book's solution cell that defines ``check.function``.

    Parameters
    ----------
    check : Check
    book_dir : str or Path
        The folder of the chapters.

    Returns
    -------
    source : str
        The cell's code (a function definition, with its docstring).
    """
    path = Path(book_dir) / f"{check.chapter}.ipynb"
    if not path.is_file():
        raise ValueError(f"book_dir must hold {path.name}; got book_dir={str(book_dir)!r}")
    nb = nbformat.read(path, as_version=4)
    pattern = re.compile(rf"^def {re.escape(check.function)}\(", re.MULTILINE)
    for cell in nb.cells:
        if cell.cell_type == "code" and pattern.search(cell.source):
            return cell.source
    raise ValueError(f"no cell of {path} defines {check.function}()")


def split_solution(source, function):
    """Split a function's source into its header (def line and docstring) and its body.

    Returns
    -------
    header, body : str
        ``header + body == source`` minus trailing blank lines; the body keeps its indentation.

    Examples
    --------
    >>> header, body = split_solution("def f(x):\\n    'Twice x.'\\n    return 2 * x\\n", "f")
    >>> print(body)
        return 2 * x
    """
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    body_start = (node.body[1] if has_doc and len(node.body) > 1 else node.body[0]).lineno
    lines = source.rstrip().splitlines()
    # comments sitting between the docstring and the first statement belong to the body
    while body_start - 2 > (first.end_lineno if has_doc else node.lineno) - 1 and \
            lines[body_start - 2].strip().startswith("#"):
        body_start -= 1
    return "\n".join(lines[:body_start - 1]), "\n".join(lines[body_start - 1:node.end_lineno])
