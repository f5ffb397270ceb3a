"""Interactive explorers for the book.

Each explorer is a pure function (settings in, a result object with text,
arrays and a figure out; a setting that is not allowed gives an explanation
in ``.error``, never an exception) plus a thin ipywidgets wiring that returns
an :class:`Explorer` (a ``VBox``) whose first state is meaningful on its own.

========================  ======================  =======
explorer (widget)         pure function           chapter
========================  ======================  =======
pixel_explorer            pixel_view              1
conv_window_explorer      conv_step               3
output_size_explorer      output_size_report      4
pooling_explorer          pooling_view            5
gradient_explorer         gradient_view           8
gradient_flow_explorer    gradient_flow_view      9
loss_explorer             loss_view               7
training_explorer         sgd_path_view           10
deeper_explorer           deeper_view             11
transpose_explorer        transpose_view          12
detection_explorer        detection_view          12
========================  ======================  =======
"""

from ._base import CLASSES, Explorer, ExplorerView
from .conv_window import CONV_IMAGES, FILTERS, ConvStep, conv_step, conv_window_explorer
from .deeper import DeeperView, deeper_explorer, deeper_view
from .detection import PAGES, DetectionView, detection_explorer, detection_view
from .gradients import (
    FLOW_KINDS,
    GradientFlowView,
    GradientView,
    gradient_explorer,
    gradient_flow_explorer,
    gradient_flow_view,
    gradient_view,
)
from .losses import LOSS_MODES, LossView, loss_explorer, loss_view
from .output_size import OutputSizeReport, axis_arithmetic, output_size_explorer, output_size_report
from .pixels import CHANNELS, IMAGES, PixelView, pixel_explorer, pixel_view
from .pooling import POOL_KINDS, PoolingView, pooling_explorer, pooling_view
from .training import SGDPathView, sgd_path_view, training_explorer
from .transpose import TransposeView, transpose_explorer, transpose_view

__all__ = [
    "CLASSES",
    "Explorer",
    "ExplorerView",
    "IMAGES",
    "CHANNELS",
    "PixelView",
    "pixel_view",
    "pixel_explorer",
    "FILTERS",
    "CONV_IMAGES",
    "ConvStep",
    "conv_step",
    "conv_window_explorer",
    "OutputSizeReport",
    "axis_arithmetic",
    "output_size_report",
    "output_size_explorer",
    "POOL_KINDS",
    "PoolingView",
    "pooling_view",
    "pooling_explorer",
    "GradientView",
    "gradient_view",
    "gradient_explorer",
    "FLOW_KINDS",
    "GradientFlowView",
    "gradient_flow_view",
    "gradient_flow_explorer",
    "LOSS_MODES",
    "LossView",
    "loss_view",
    "loss_explorer",
    "SGDPathView",
    "sgd_path_view",
    "training_explorer",
    "DeeperView",
    "deeper_view",
    "deeper_explorer",
    "TransposeView",
    "transpose_view",
    "transpose_explorer",
    "PAGES",
    "DetectionView",
    "detection_view",
    "detection_explorer",
]
