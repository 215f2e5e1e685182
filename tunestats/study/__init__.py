"""The study format: trials, curves and metadata; reading, writing, validation."""

from .io import load_study, save_study
from .meta import Metric, StudyMeta
from .model import Pool, Study
from .records import compact_study, done_keys, read_records, write_record
from .validate import validate_tables

__all__ = [
    "Metric",
    "Pool",
    "Study",
    "StudyMeta",
    "compact_study",
    "done_keys",
    "load_study",
    "read_records",
    "save_study",
    "validate_tables",
    "write_record",
]
