"""Workloads: seeded splits, the corpora, the IDX reader and the registry."""

import gzip
import importlib
import math

import numpy as np
import pytest
import torch

from tunestats.errors import DataError, ParameterError
from tunestats.runner.workloads import (
    STANDARD_METRICS,
    WORKLOADS,
    Measure,
    Splits,
    Workload,
    accuracy,
    check_workload_options,
    cross_entropy,
    make_workload,
    register_workload,
)
from tunestats.runner.workloads.charlm import default_corpus
from tunestats.runner.workloads.digits import digits_splits
from tunestats.runner.workloads.idx import read_idx
from tunestats.study import Metric


def test_digits_splits_are_seeded_disjoint_and_complete():
    a, b, c = digits_splits(3), digits_splits(3), digits_splits(4)
    assert torch.equal(a.valid[0], b.valid[0]) and not torch.equal(a.valid[0], c.valid[0])
    assert (len(a.train[0]), len(a.valid[0]), len(a.test[0])) == (1197, 300, 300)
    # every image lands in exactly one split
    order = torch.cat([a.train[0], a.valid[0], a.test[0]]).sum(dim=1).sort().values
    all_images = importlib.import_module("sklearn.datasets").load_digits().data / 16.0
    torch.testing.assert_close(order, torch.tensor(all_images, dtype=torch.float32).sum(dim=1)
                               .sort().values)


@pytest.mark.parametrize("name", ["digits_mlp", "digits_cnn"])
def test_digits_models_give_logits(name):
    w = make_workload(name)
    x, _ = w.data.train
    assert w.model()(x[:5]).shape == (5, 10)
    assert [m.name for m in w.metrics] == [m.name for m in STANDARD_METRICS]


def test_default_corpus_is_offline_and_long():
    text = default_corpus()
    assert len(text) > 300_000 and "the" in text


def test_char_lstm_on_a_user_file(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("héllo wörld, " * 300, encoding="utf-8")
    w = make_workload("char_lstm", path=str(path), seq_len=8, hidden=16, embed=8)
    x, y = w.data.train
    assert x.shape[1] == 8 and torch.equal(x[:, 1:], y[:, :-1])  # targets are shifted inputs
    out = w.model()(x[:3])
    assert out.shape == (3, 8, len(set("héllo wörld, ")) + 1)  # + the unknown symbol
    values = w.evaluate(w.model(), torch.device("cpu"))
    assert set(values) == {m.name for m in STANDARD_METRICS}


def test_char_lstm_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DataError, match="UTF-8"):
        make_workload("char_lstm", path=str(bad))
    with pytest.raises(DataError, match="cannot read"):
        make_workload("char_lstm", path=str(tmp_path / "missing.txt"))
    short = tmp_path / "short.txt"
    short.write_text("abc" * 100, encoding="utf-8")
    with pytest.raises(DataError, match="too few"):
        make_workload("char_lstm", path=str(short), max_chars=50)


def write_idx(path, array, code=0x08):
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    data = header + array.astype({0x08: np.uint8, 0x0D: ">f4"}[code]).tobytes()
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)


def test_read_idx_plain_gzip_and_float(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a", images)
    write_idx(tmp_path / "a.gz", images)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), images)
    floats = np.array([[1.5, -2.0]])
    write_idx(tmp_path / "f", floats, code=0x0D)
    np.testing.assert_array_equal(read_idx(tmp_path / "f"), floats)


def test_read_idx_errors(tmp_path):
    (tmp_path / "junk").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(tmp_path / "junk")
    write_idx(tmp_path / "short", np.zeros((2, 2), dtype=np.uint8))
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(DataError, match="promises shape"):
        read_idx(tmp_path / "short")


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_mnist_workload_from_small_idx_files(tmp_path, name):
    rng = np.random.default_rng(0)
    for split, n in (("train", 40), ("t10k", 10)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, size=(n, 28, 28)))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, size=n))
    for model in ("mlp", "cnn"):
        w = make_workload(name, path=str(tmp_path), valid_size=8, model=model)
        assert (len(w.data.train[0]), len(w.data.valid[0]), len(w.data.test[0])) == (32, 8, 10)
        assert w.data.train[0].shape[1:] == (1, 28, 28) and float(w.data.train[0].max()) <= 1.0
        assert w.model()(w.data.test[0]).shape[0] == 10
    with pytest.raises(DataError, match="no t10k-labels"):
        (tmp_path / "t10k-labels-idx1-ubyte").unlink()
        make_workload(name, path=str(tmp_path))


def test_register_a_workload_in_a_few_lines():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(30, 3, generator=gen)
    y = (x[:, 0] > 0).long()

    @register_workload("toy_for_test")
    def toy(width: int = 4) -> Workload:
        data = Splits(train=(x[:20], y[:20]), valid=(x[20:25], y[20:25]),
                      test=(x[25:], y[25:]))
        return Workload(data, lambda: torch.nn.Linear(3, 2))

    try:
        assert make_workload("toy_for_test", width=2).data.train[0].shape == (20, 3)
        with pytest.raises(ParameterError, match="already registered"):
            register_workload("toy_for_test")
        with pytest.raises(ParameterError, match="does not accept options"):
            check_workload_options("toy_for_test", {"depth": 3})
    finally:
        del WORKLOADS["toy_for_test"]
    with pytest.raises(ParameterError, match="unknown workload 'toy_for_test'"):
        make_workload("toy_for_test")


def toy_splits():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(60, 3, generator=gen)
    y = (x[:, 0] > 0).long()
    return Splits(train=(x[:40], y[:40]), valid=(x[40:50], y[40:50]), test=(x[50:], y[50:]))


def test_metrics_of_any_measure_with_their_direction():
    metrics = (Metric("train_loss", "minimize", "train"),
               Metric("valid_accuracy", "maximize", "valid"),
               Metric("valid_perplexity", "minimize", "valid"),
               Metric("valid_loss", "minimize", "valid"))
    w = Workload(toy_splits(), lambda: torch.nn.Linear(3, 2), metrics=metrics, eval_batch_size=3,
                 measures={"accuracy": accuracy,
                           "perplexity": Measure(cross_entropy, finish=math.exp)})
    torch.manual_seed(0)
    model = w.model()
    values = w.evaluate(model, torch.device("cpu"))
    assert list(values) == [m.name for m in metrics]
    # independent reference: one forward pass over the whole split
    x, y = w.data.valid
    with torch.no_grad():
        out = model(x)
    assert values["valid_accuracy"] == pytest.approx(float((out.argmax(1) == y).float().mean()))
    loss = float(torch.nn.functional.cross_entropy(out, y))
    assert values["valid_loss"] == pytest.approx(loss, rel=1e-6)
    assert values["valid_perplexity"] == pytest.approx(math.exp(loss), rel=1e-6)


def test_metric_names_must_name_a_split_and_a_measure():
    with pytest.raises(ParameterError, match=r"<split>_<measure>.*\(loss, error\)"):
        Workload(toy_splits(), lambda: torch.nn.Linear(3, 2),
                 metrics=(Metric("valid_accuracy", "maximize", "valid"),))
    with pytest.raises(ParameterError, match="is built in"):
        Workload(toy_splits(), lambda: torch.nn.Linear(3, 2), measures={"loss": accuracy})


def test_evaluate_restores_training_mode_when_a_measure_raises():
    def broken(output, target):
        raise RuntimeError("measure bug")

    w = Workload(toy_splits(), lambda: torch.nn.Linear(3, 2), measures={"bad": broken},
                 metrics=(Metric("valid_bad", "minimize", "valid"),))
    model = w.model()
    model.train()
    with pytest.raises(RuntimeError, match="measure bug"):
        w.evaluate(model, torch.device("cpu"))
    assert model.training
