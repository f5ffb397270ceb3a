"""Detection explorer (chapter 12): a trained digit detector, its threshold and its suppression.

The detector is chapter 12's (:func:`cnnbook.fcn.digit_detector`, trained
once per session, in a few seconds). It slides over a page of test digits;
:func:`cnnbook.fcn.detect` keeps the windows whose log-odds of a digit are above
the threshold, best first, dropping the neighbours within the suppression
radius of each. A radius of 0 keeps windows beside some of the digits as extra
detections; a radius wider than the distance between two digits drops one of them.

The network cannot run in the web page, so :func:`detection_data` runs it once
on every page (score maps and labels); the page-side twin
(``web/cnnbook-explorers/detection.js``) does only the cheap rest, threshold
and suppression, as :func:`cnnbook.fcn.detect` does.
"""

from dataclasses import dataclass

import numpy as np

from ..fcn import detect, digit_detector
from . import web
from ._base import Explorer, dropdown, slider

__all__ = ["PAGES", "DetectionView", "detection_view", "detection_data", "detection_explorer"]

WINDOW, STRIDE = 8, 2   # the detector's receptive field and jump

#: Pages of test digits: name -> (page height, page width, [((row, col), digit), ...]).
#: Corners lie on the stride-2 grid, so that one window sees each digit exactly.
PAGES = {
    "spread out": (16, 40, [((0, 0), 3), ((8, 10), 7), ((4, 20), 1), ((2, 30), 9)]),
    "side by side": (12, 40, [((2, 4), 2), ((2, 12), 5), ((2, 20), 0), ((2, 28), 8)]),
    "two rows": (18, 24, [((0, 2), 4), ((0, 12), 6), ((10, 4), 1), ((10, 14), 3)]),
}


def make_page(name):
    """The page ``name`` of :data:`PAGES`: image (1, H, W) in [0, 1] and the true (row, col, digit)."""
    H, W, placed = PAGES[name]
    trained = digit_detector()
    page = np.zeros((1, H, W))
    truth = []
    for (r, c), digit in placed:
        first = np.flatnonzero(trained.y_test == digit)[0]     # the first test image of that digit
        page[0, r:r + WINDOW, c:c + WINDOW] = np.maximum(page[0, r:r + WINDOW, c:c + WINDOW],
                                                          trained.x_test[first, 0])
        truth.append((r, c, digit))
    return page, truth


@dataclass
class DetectionView:
    """What the detector finds on one page with one threshold and suppression radius.

    Attributes
    ----------
    page_name : str
    threshold, radius : int
    page : ndarray, shape (1, H, W)
    truth : list of (int, int, int)
        Window corner and digit of every digit on the page.
    found : list of cnnbook.fcn.Detection
    log_odds : ndarray, shape (H_s, W_s)
    correct, wrong, missed : int
        Detections at a true corner with the right digit; other detections;
        true digits with no correct detection.
    summary, text, alt : str
    error : str or None
    """

    page_name: str
    threshold: int
    radius: int
    page: np.ndarray = None
    truth: list = None
    found: list = None
    log_odds: np.ndarray = None
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    summary: str = "Detections: none"
    text: str = ""
    alt: str = ""
    error: str = None

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`).

        The log-odds map as a table with the kept windows outlined, and the
        page with a box on every kept window (``kind: 'detection'``; the page's
        pixels are in the explorer's data, :func:`detection_data`).
        """
        grids, picture = [], None
        if self.log_odds is not None:
            kept = np.zeros(self.log_odds.shape, dtype=bool)
            for d in self.found:
                kept[d.row // STRIDE, d.col // STRIDE] = True
            limit = max(1.0, float(np.abs(self.log_odds).max()))
            grids = [web.grid(self.log_odds, cmap="PuOr", vmin=-limit, vmax=limit, fmt="{:.0f}", highlight=kept,
                              caption=f"log-odds of a digit for each of the {self.log_odds.shape[0]} × "
                                      f"{self.log_odds.shape[1]} windows (outlined: kept)")]
            truth = set(self.truth)
            labels = ", ".join(f"{d.label} at ({d.row}, {d.col})" for d in self.found) or "nothing"
            picture = {"kind": "detection", "alt": self.alt, "caption": f"kept windows: {labels}",
                       "page": self.page_name, "window": WINDOW,
                       "boxes": [[d.row, d.col, d.label, (d.row, d.col, d.label) in truth] for d in self.found]}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": grids, "picture": picture})


def detection_view(page="spread out", threshold=0, radius=2):
    """Run the trained detector on a page of digits; never raises for a bad setting.

    Parameters
    ----------
    page : str
        A name from :data:`PAGES`.
    threshold : int
        Smallest log-odds of a digit that counts as a detection.
    radius : int
        Suppression radius, in score-map cells (one cell is 2 pixels).

    Returns
    -------
    DetectionView

    Examples
    --------
    >>> view = detection_view("spread out", threshold=0, radius=2)
    >>> view.summary
    'Detections: 4 (4 correct, 0 wrong, 0 missed)'
    >>> detection_view("spread out", radius=0).wrong > 0     # no suppression: neighbours count too
    True
    >>> detection_view("nowhere").error
    "page must be one of 'spread out', 'side by side', 'two rows', got page='nowhere'"
    """
    view = DetectionView(page, threshold, radius)
    if page not in PAGES:
        view.error = f"page must be one of {', '.join(map(repr, PAGES))}, got page={page!r}"
        view.text = view.error
        view.alt = "No page: the setting is not allowed."
        return view
    trained = digit_detector()
    view.page, view.truth = make_page(page)
    try:
        view.found, view.log_odds = detect(trained.detector, view.page, background=trained.background,
                                           window=WINDOW, stride=STRIDE, radius=radius, threshold=threshold)
    except ValueError as err:
        view.page = view.truth = None
        view.error = str(err)
        view.text = view.error
        view.alt = "No page: the setting is not allowed."
        return view
    hits = {(d.row, d.col, d.label) for d in view.found} & set(view.truth)
    view.correct = len(hits)
    view.wrong = len(view.found) - view.correct
    view.missed = len(view.truth) - view.correct
    view.summary = (f"Detections: {len(view.found)} ({view.correct} correct, {view.wrong} wrong, "
                    f"{view.missed} missed)")
    lines = [f"A window counts when its log-odds of a digit are above {threshold}; around each kept "
             f"window, the windows up to {radius} cell{'s' if radius != 1 else ''} "
             f"({STRIDE * radius} pixels) away are dropped."]
    if view.wrong:
        lines.append("Wrong detections: windows that see part of a digit, or parts of two, and "
                     + ("that nothing suppresses (radius 0)." if radius == 0 else
                        f"lie more than {radius} cell{'s' if radius != 1 else ''} from a better window."))
    if view.missed:
        lines.append("Missed digits: their best window was below the threshold, or was dropped as the "
                     "neighbour of a stronger window within the radius.")
    if not view.wrong and not view.missed:
        lines.append("Every digit found once, with the right label.")
    view.text = "\n".join(lines)
    digits = ", ".join(str(d) for _, _, d in view.truth)
    view.alt = (f"A page with the digits {digits}; {len(view.found)} boxes mark the kept windows: "
                f"{view.correct} correct, {view.wrong} wrong, {view.missed} digits missed.")
    return view


def detection_data():
    """What the page-side twin needs: the detector's output on every page, computed once.

    Returns
    -------
    dict
        ``{"window": 8, "stride": 2, "pages": {name: {"image", "log_odds", "labels", "truth"}}}``:
        the page (H, W) in [0, 1], the log-odds map (H_s, W_s) of
        :func:`cnnbook.fcn.detect`, the best digit of every window (H_s, W_s),
        and the true ``[row, col, digit]`` of each digit. JSON-able.

    Examples
    --------
    >>> data = detection_data()
    >>> list(data["pages"]) == list(PAGES), len(data["pages"]["spread out"]["log_odds"])
    (True, 5)
    """
    trained = digit_detector()
    pages = {}
    for name in PAGES:
        page, truth = make_page(name)
        # Radius 0 and no threshold: every window comes back, with its label.
        every, log_odds = detect(trained.detector, page, background=trained.background, window=WINDOW,
                                 stride=STRIDE, radius=0, threshold=-np.finfo(float).max)
        assert len(every) == log_odds.size
        labels = np.zeros(log_odds.shape, dtype=int)                 # (H_s, W_s)
        for d in every:
            labels[d.row // STRIDE, d.col // STRIDE] = d.label
        pages[name] = {"image": page[0], "log_odds": log_odds, "labels": labels, "truth": truth}
    return web.to_json({"window": WINDOW, "stride": STRIDE, "pages": pages})


def detection_explorer(page="spread out", threshold=0, radius=2):
    """A page of digits, a threshold and a suppression radius for chapter 12's detector.

    Returns
    -------
    Explorer
        ``.controls``: 'page' (Dropdown), 'threshold', 'radius' (IntSliders);
        ``.result`` is the last :class:`DetectionView`. The summary line has the
        class ``cnnbook-detections``.

    Examples
    --------
    >>> ex = detection_explorer()
    >>> ex.set(radius=0).summary.startswith('Detections: ')
    True
    """
    controls = {
        "page": dropdown("page", [(name, name) for name in PAGES], page),
        "threshold": slider("threshold (log-odds)", threshold, -10, 15),
        "radius": slider("suppression radius", radius, 0, 6),
    }
    key = ("Boxes: the kept windows, each with the digit the detector reads there; solid blue-green "
           "when a digit with that label is there, dashed vermillion when not.")
    return Explorer("detection", controls, detection_view, title="Detecting digits on a page",
                    summary_class="cnnbook-detections", layout_controls=[["page"], ["threshold", "radius"]],
                    key=key, data=detection_data())
