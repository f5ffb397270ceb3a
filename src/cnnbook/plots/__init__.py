"""Figures for the book, drawn with matplotlib's object API.

Every function returns a :class:`matplotlib.figure.Figure` (not managed by
pyplot: nothing to close, safe on headless machines). In a notebook the figure
shows as a PNG when it is the last expression of a cell.

This package is the only place (with :mod:`cnnbook.widgets`) that imports
matplotlib, so ``import cnnbook`` stays light. Chapter-specific figures live in
their own modules ``cnnbook.plots.<topic>``.
"""

from ._base import figure_to_data_uri, figure_to_png, new_figure, register_notebook_display
from .diagrams import draw_lenet, draw_windows, lenet_layers, unread_pixels, window_geometry
from .grids import show_channels, show_feature_maps, show_filters, show_grid, show_image
from .training import plot_confusion, plot_curves

__all__ = [
    "show_grid",
    "show_image",
    "show_channels",
    "show_feature_maps",
    "show_filters",
    "plot_curves",
    "plot_confusion",
    "draw_lenet",
    "lenet_layers",
    "draw_windows",
    "window_geometry",
    "unread_pixels",
    "new_figure",
    "figure_to_png",
    "figure_to_data_uri",
]

register_notebook_display()
