"""The analysis API: a Study in, tidy DataFrames (or frozen results with
``.to_frame()``) out."""

from .check_space import SpaceCheck, check_space
from .isolation import isolation
from .positions import infer_param, positions

__all__ = ["SpaceCheck", "check_space", "infer_param", "isolation", "positions"]
