"""The study format: trials, curves and metadata; reading, writing, validation."""

from .io import compact_study, done_keys, load_study, read_json, save_study, write_meta
from .lock import study_lock
from .meta import Metric, StudyMeta, WorkloadMetrics
from .model import Pool, Study
from .records import read_records, write_record
from .schema import SPLITS, STUDY_FILE
from .validate import validate_tables

__all__ = [
    "SPLITS",
    "STUDY_FILE",
    "Metric",
    "Pool",
    "Study",
    "StudyMeta",
    "WorkloadMetrics",
    "compact_study",
    "done_keys",
    "load_study",
    "read_json",
    "read_records",
    "save_study",
    "study_lock",
    "validate_tables",
    "write_meta",
    "write_record",
]
