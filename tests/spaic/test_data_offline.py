"""The offline datasets: scikit-learn's bundled digits with a seeded stratified split, and
the generated MNIST-1D-style set, deterministic from its seed and balanced over classes."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

from pyspike.codegen.errors import ModelError
from pyspike.spaic.data import MNIST1D, Dataloader, Digits, make_mnist1d


def test_digits_has_1797_samples_of_64_pixels_in_the_unit_interval():
    train, test = Digits(is_train=True), Digits(is_train=False)
    assert len(train) + len(test) == 1797 and (len(train), len(test)) == (1438, 359)
    x, y = train[0]
    assert x.shape == (64,) and x.dtype == np.float32 and isinstance(y, np.int64)
    images = train.data["train_images"]
    assert images.min() == 0.0 and images.max() == 1.0


def test_digits_samples_are_sklearns_pixels_over_16_with_their_labels():
    bunch = load_digits()
    ds = Digits(is_train=True)
    rows = {tuple(r): int(t) for r, t in zip(bunch.data / 16.0, bunch.target)}
    for k in (0, 100, 1437):
        x, y = ds[k]
        assert rows[tuple(x.astype(np.float64))] == y


def test_digits_splits_each_class_in_proportion_and_without_overlap():
    train, test = Digits(is_train=True), Digits(is_train=False)
    train_counts = np.bincount(train.data["train_labels"], minlength=10)
    test_counts = np.bincount(test.data["test_labels"], minlength=10)
    total = np.bincount(load_digits().target, minlength=10)
    assert np.array_equal(train_counts + test_counts, total)
    assert np.array_equal(test_counts, np.round(0.2 * total).astype(int))


def test_digits_split_is_fixed_by_its_seed():
    a, b = Digits(is_train=False, seed=3), Digits(is_train=False, seed=3)
    c = Digits(is_train=False, seed=4)
    assert np.array_equal(a.data["test_images"], b.data["test_images"])
    assert not np.array_equal(a.data["test_images"], c.data["test_images"])


def test_digits_refuses_a_test_fraction_outside_zero_to_one():
    with pytest.raises(ModelError) as err:
        Digits(test_fraction=1.5)
    assert err.value.symbol == "test_fraction"


def test_digits_batch_through_the_dataloader():
    data, label = next(iter(Dataloader(Digits(), batch_size=32, shuffle=True, seed=0)))
    assert data.shape == (32, 64) and label.shape == (32,)


def test_mnist1d_is_generated_the_same_bit_for_bit_from_the_same_seed():
    xs_a, ys_a = make_mnist1d(num_samples=300, seed=5)
    xs_b, ys_b = make_mnist1d(num_samples=300, seed=5)
    assert np.array_equal(xs_a, xs_b) and np.array_equal(ys_a, ys_b)


def test_the_mnist1d_dataset_holds_the_generated_set_split_in_order():
    xs, ys = make_mnist1d(num_samples=300, seed=5)
    train = MNIST1D(num_samples=300, seed=5)
    test = MNIST1D(is_train=False, num_samples=300, seed=5)
    assert np.array_equal(train.data["train_sequences"], xs[:240])
    assert np.array_equal(test.data["test_labels"], ys[240:])


def test_mnist1d_differs_with_the_seed():
    a, b = MNIST1D(num_samples=300, seed=5), MNIST1D(num_samples=300, seed=6)
    assert not np.array_equal(a.data["train_sequences"], b.data["train_sequences"])


def test_mnist1d_default_set_has_5000_sequences_of_40_points_split_4000_1000():
    train, test = MNIST1D(is_train=True), MNIST1D(is_train=False)
    assert (len(train), len(test)) == (4000, 1000)
    x, y = train[0]
    assert x.shape == (40,) and x.dtype == np.float32 and isinstance(y, np.int64)
    assert train.maxNum == 40 and train.class_number == 10


def test_mnist1d_has_equally_many_samples_of_every_class():
    train, test = MNIST1D(is_train=True), MNIST1D(is_train=False)
    counts = np.bincount(np.concatenate([train.data["train_labels"],
                                         test.data["test_labels"]]), minlength=10)
    assert counts.tolist() == [500] * 10
    train_counts = np.bincount(train.data["train_labels"], minlength=10)
    assert train_counts.min() >= 360 and train_counts.max() <= 440  # shuffled, not stratified


def test_mnist1d_is_standardised_over_the_whole_set():
    train, test = MNIST1D(is_train=True), MNIST1D(is_train=False)
    xs = np.concatenate([train.data["train_sequences"], test.data["test_sequences"]])
    assert abs(float(xs.mean())) < 1e-5 and abs(float(xs.std()) - 1.0) < 1e-5


def test_mnist1d_classes_are_told_apart_by_their_templates():
    # each class's mean sequence is nearest its own class mean for most test samples:
    # the set carries the template information under the noise and shifts
    train, test = MNIST1D(is_train=True), MNIST1D(is_train=False)
    xs, ys = train.data["train_sequences"], train.data["train_labels"]
    means = np.stack([xs[ys == c].mean(axis=0) for c in range(10)])
    xt, yt = test.data["test_sequences"], test.data["test_labels"]
    nearest = np.argmin(((xt[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert (nearest == yt).mean() > 0.2  # chance is 0.1


def test_mnist1d_final_length_and_split_follow_their_arguments():
    ds = MNIST1D(is_train=False, num_samples=200, train_split=0.5, final_seq_length=24)
    assert len(ds) == 100 and ds[0][0].shape == (24,) and ds.maxNum == 24


@pytest.mark.parametrize("kwargs, symbol", [
    ({"num_samples": 5}, "num_samples"), ({"train_split": 1.0}, "train_split"),
    ({"padding": (10, 5)}, "padding"), ({"is_train": 1}, "is_train"),
])
def test_mnist1d_refuses_bad_arguments_naming_them(kwargs, symbol):
    with pytest.raises(ModelError) as err:
        MNIST1D(**kwargs)
    assert err.value.symbol == symbol and err.value.where == "MNIST1D"
