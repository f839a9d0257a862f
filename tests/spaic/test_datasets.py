"""pyspike.spaic's file datasets read SPAIC's formats exactly and refuse damaged files:
MNIST / FashionMNIST idx files (plain and .gz) and CIFAR-10's binary batches, written here
byte by byte in the real formats; the array datasets CustomDataset and CustomSpikeDataset."""
import gzip
import os
import struct

import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic.data import (CIFAR10, MNIST, CustomDataset, CustomSpikeDataset, Dataloader,
                                FashionMNIST, cifar10, read_idx, write_idx)

RNG = np.random.default_rng(7)
IMAGES = RNG.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
LABELS = np.array([5, 0, 4, 1, 9], dtype=np.uint8)


def idx_bytes(magic, array):
    """An idx file written from the format's definition: big-endian magic, sizes, data."""
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) \
        + array.tobytes()


def write(path, payload, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(payload)
    return path


def mnist_folder(root, split="train", gz=False, images=IMAGES, labels=LABELS):
    prefix = "train" if split == "train" else "t10k"
    ext = ".gz" if gz else ""
    write(os.path.join(root, f"{prefix}-images-idx3-ubyte{ext}"), idx_bytes(2051, images), gz)
    write(os.path.join(root, f"{prefix}-labels-idx1-ubyte{ext}"), idx_bytes(2049, labels), gz)
    return str(root)


def test_mnist_reads_the_idx_images_and_labels_exactly(tmp_path):
    ds = MNIST(mnist_folder(tmp_path), is_train=True)
    assert len(ds) == 5
    for k in range(5):
        x, y = ds[k]
        assert x.dtype == np.float32 and x.shape == (784,)
        assert np.array_equal(x, IMAGES[k].reshape(784).astype(np.float32) / np.float32(255))
        assert y == LABELS[k] and isinstance(y, np.int64)


def test_mnist_reads_gzipped_idx_files(tmp_path):
    ds = MNIST(mnist_folder(tmp_path, gz=True), is_train=True)
    assert np.array_equal(ds[3][0], IMAGES[3].reshape(784) / np.float32(255))


def test_the_test_split_comes_from_the_t10k_files(tmp_path):
    mnist_folder(tmp_path, "train")
    mnist_folder(tmp_path, "test", images=IMAGES[:2], labels=np.array([7, 3], np.uint8))
    ds = MNIST(str(tmp_path), is_train=False)
    assert len(ds) == 2 and int(ds[0][1]) == 7
    ds.is_train = True
    assert len(ds) == 5


def test_mnist_keeps_spaics_attributes(tmp_path):
    ds = MNIST(mnist_folder(tmp_path))
    assert ds.class_number == 10 and ds.maxNum == 784 and ds.is_train
    assert ds.data["train_images"].shape == (5, 784) and ds.data_dict is ds.data


def test_fashion_mnist_reads_the_same_idx_format(tmp_path):
    ds = FashionMNIST(mnist_folder(tmp_path), is_train=True)
    assert int(ds[4][1]) == 9 and ds.classes[9] == "Ankle boot"


def test_torchvisions_raw_folder_is_found(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    mnist_folder(raw)
    assert len(MNIST(str(tmp_path))) == 5


def test_a_missing_file_names_the_paths_looked_at_and_says_nothing_is_downloaded(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        MNIST(str(tmp_path), is_train=True)
    message = str(err.value)
    assert os.path.join(str(tmp_path), "train-images-idx3-ubyte") in message
    assert "never downloads" in message


def test_a_truncated_image_file_is_refused_naming_it(tmp_path):
    mnist_folder(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ModelError, match="truncated") as err:
        MNIST(str(tmp_path))
    assert err.value.symbol == "train-images-idx3-ubyte" and err.value.where == "MNIST"
    assert str(path) in str(err.value)


def test_a_file_shorter_than_its_header_is_refused(tmp_path):
    mnist_folder(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(struct.pack(">I", 2049))
    with pytest.raises(ModelError, match="truncated"):
        MNIST(str(tmp_path))


def test_extra_bytes_after_the_data_are_refused(tmp_path):
    mnist_folder(tmp_path)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    with pytest.raises(ModelError, match="extra bytes"):
        MNIST(str(tmp_path))


def test_a_label_file_in_place_of_an_image_file_is_refused_by_its_magic_number(tmp_path):
    mnist_folder(tmp_path)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(2049, LABELS))
    with pytest.raises(ModelError, match="magic number 2049 where 2051"):
        MNIST(str(tmp_path))


def test_a_file_that_is_not_idx_at_all_is_refused(tmp_path):
    mnist_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"<html>not found</html>")
    with pytest.raises(ModelError, match="not an idx file"):
        MNIST(str(tmp_path))


def test_a_damaged_gzip_file_is_refused_naming_it(tmp_path):
    mnist_folder(tmp_path, gz=True)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ModelError, match="gzip") as err:
        MNIST(str(tmp_path))
    assert err.value.symbol == "train-labels-idx1-ubyte.gz"


def test_images_and_labels_of_different_counts_are_refused(tmp_path):
    mnist_folder(tmp_path, labels=LABELS[:4])
    with pytest.raises(ModelError, match="4 labels but .* 5 images"):
        MNIST(str(tmp_path))


def test_images_that_are_not_28_by_28_are_refused(tmp_path):
    mnist_folder(tmp_path, images=np.zeros((5, 8, 8), np.uint8))
    with pytest.raises(ModelError, match="28 × 28"):
        MNIST(str(tmp_path))


def test_a_label_outside_the_ten_classes_is_refused(tmp_path):
    mnist_folder(tmp_path, labels=np.array([1, 2, 3, 4, 12], np.uint8))
    with pytest.raises(ModelError, match="label 12 is outside 0..9"):
        MNIST(str(tmp_path))


def test_is_train_must_be_a_bool(tmp_path):
    with pytest.raises(ModelError) as err:
        MNIST(mnist_folder(tmp_path), is_train="yes")
    assert err.value.symbol == "is_train"


def test_write_idx_round_trips_through_read_idx(tmp_path):
    array = RNG.normal(size=(3, 4)).astype(np.float32)
    write_idx(str(tmp_path / "a.idx"), array)
    assert np.array_equal(read_idx(str(tmp_path / "a.idx")), array)


def test_mnist_batches_through_the_dataloader(tmp_path):
    data, label = next(iter(Dataloader(MNIST(mnist_folder(tmp_path)), batch_size=3)))
    assert data.shape == (3, 784) and label.tolist() == [5, 0, 4]


# ---------------------------------------------------------------- CIFAR-10, binary version
CIFAR_TRAIN = [RNG.integers(0, 256, size=(n, 3073), dtype=np.uint8) for n in (2, 1, 3, 1, 2)]
CIFAR_TEST = RNG.integers(0, 256, size=(4, 3073), dtype=np.uint8)
for _records in CIFAR_TRAIN + [CIFAR_TEST]:
    _records[:, 0] %= 10


def cifar_folder(root):
    folder = root / "cifar-10-batches-bin"
    folder.mkdir()
    for k, records in enumerate(CIFAR_TRAIN, start=1):
        (folder / f"data_batch_{k}.bin").write_bytes(records.tobytes())
    (folder / "test_batch.bin").write_bytes(CIFAR_TEST.tobytes())
    return folder


def test_cifar10_reads_the_binary_records_exactly_channels_first(tmp_path):
    cifar_folder(tmp_path)
    ds = cifar10(str(tmp_path), is_train=False, normalize=False)
    assert len(ds) == 4
    for k in range(4):
        x, y = ds[k]
        expected = CIFAR_TEST[k, 1:].reshape(3, 32, 32) / 255.0
        assert x.shape == (3, 32, 32) and x.dtype == np.float32
        assert np.array_equal(x, expected.astype(np.float32))
        assert y == CIFAR_TEST[k, 0]


def test_cifar10_training_split_is_the_five_batches_in_order(tmp_path):
    ds = CIFAR10(str(cifar_folder(tmp_path)), is_train=True, normalize=False)
    assert len(ds) == 9
    labels = np.concatenate([r[:, 0] for r in CIFAR_TRAIN])
    assert [int(ds[k][1]) for k in range(9)] == labels.tolist()
    assert np.array_equal(ds[8][0] * np.float32(255), CIFAR_TRAIN[4][1, 1:].reshape(3, 32, 32))


def test_cifar10_normalises_each_channel_as_spaic_does(tmp_path):
    ds = cifar10(str(cifar_folder(tmp_path)), is_train=False)
    x, _ = ds[0]
    raw = CIFAR_TEST[0, 1:].reshape(3, 32, 32) / 255.0
    mean = np.array([0.4914, 0.4822, 0.4465])[:, None, None]
    std = np.array([0.2023, 0.1994, 0.2010])[:, None, None]
    assert np.array_equal(x, ((raw - mean) / std).astype(np.float32))


def test_a_truncated_cifar_batch_is_refused_naming_it(tmp_path):
    folder = cifar_folder(tmp_path)
    path = folder / "test_batch.bin"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelError, match="not a whole number of 3073-byte records") as err:
        cifar10(str(folder), is_train=False)
    assert err.value.symbol == "test_batch.bin"


def test_a_missing_training_batch_names_it_and_where_to_get_the_binary_version(tmp_path):
    folder = cifar_folder(tmp_path)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin") as err:
        cifar10(str(folder), is_train=True)
    assert "cifar-10-binary.tar.gz" in str(err.value)


def test_a_cifar_label_above_nine_is_refused(tmp_path):
    folder = cifar_folder(tmp_path)
    bad = CIFAR_TEST.copy()
    bad[1, 0] = 10
    (folder / "test_batch.bin").write_bytes(bad.tobytes())
    with pytest.raises(ModelError, match="label 10"):
        cifar10(str(folder), is_train=False)


# ------------------------------------------------------------------------- array datasets
def test_custom_dataset_gives_float32_samples_and_int64_labels():
    ds = CustomDataset([[1, 2], [3, 4], [5, 6]], np.array([2.0, 0.0, 1.0]))
    x, y = ds[2]
    assert x.tolist() == [5.0, 6.0] and x.dtype == np.float32
    assert y == 1 and isinstance(y, np.int64) and len(ds) == 3


def test_custom_dataset_refuses_labels_of_another_length():
    with pytest.raises(ModelError, match="3 samples but label has 2") as err:
        CustomDataset(np.zeros((3, 2)), [0, 1])
    assert err.value.symbol == "label"


def test_custom_spike_dataset_gives_times_and_ids_per_sample():
    ds = CustomSpikeDataset([[1.0, 2.5], []], [[0, 7], []], [3, 1])
    (times, ids), y = ds[0]
    assert times.tolist() == [1.0, 2.5] and ids.tolist() == [0, 7] and int(y) == 3
    assert len(ds) == 2 and ds.maxNum == 8


def test_custom_spike_dataset_refuses_a_sample_with_fewer_ids_than_times():
    with pytest.raises(ModelError, match="sample 1 has 2 spike times but 1 neuron ids"):
        CustomSpikeDataset([[1.0], [1.0, 2.0]], [[0], [3]], [0, 1])
