"""pyspike.spaic's Dataloader and samplers behave as SPAIC's: batches of (data, label) with
the batch first, shuffling that a seed makes repeatable, drop_last, the samplers, a
collate_fn of one's own, and arguments that contradict each other refused."""
import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.spaic.data import (BatchSampler, CustomDataset, CustomSpikeDataset, Dataloader,
                                RandomSampler, SequentialSampler, SubsetRandomSampler,
                                default_collate)


def numbered(n=10, shape=(2, 3)):
    """A dataset whose sample k is filled with k and labelled k % 3."""
    data = np.stack([np.full(shape, k, dtype=np.float32) for k in range(n)])
    return CustomDataset(data, [k % 3 for k in range(n)])


def order_of(loader):
    return [int(x) for data, _ in loader for x in data[:, 0, 0]]


def test_batches_are_data_shaped_batch_first_with_int64_labels():
    batches = list(Dataloader(numbered(), batch_size=4))
    data, label = batches[0]
    assert data.shape == (4, 2, 3) and data.dtype == np.float32
    assert label.dtype == np.int64 and label.tolist() == [0, 1, 2, 0]
    assert [d.shape[0] for d, _ in batches] == [4, 4, 2]


def test_without_shuffle_the_samples_come_in_order():
    assert order_of(Dataloader(numbered(), batch_size=3)) == list(range(10))


def test_len_counts_the_batches_with_and_without_drop_last():
    assert len(Dataloader(numbered(), batch_size=4)) == 3
    assert len(Dataloader(numbered(), batch_size=4, drop_last=True)) == 2
    assert Dataloader(numbered(), batch_size=5).batch_num == 2


def test_drop_last_drops_only_the_short_last_batch():
    batches = list(Dataloader(numbered(), batch_size=4, drop_last=True))
    assert [d.shape[0] for d, _ in batches] == [4, 4]
    assert order_of(batches) == list(range(8))


def test_shuffle_visits_every_sample_once_per_pass():
    order = order_of(Dataloader(numbered(), batch_size=3, shuffle=True, seed=5))
    assert sorted(order) == list(range(10)) and order != list(range(10))


def test_the_same_seed_gives_the_same_batches():
    a = Dataloader(numbered(), batch_size=3, shuffle=True, seed=11)
    b = Dataloader(numbered(), batch_size=3, shuffle=True, seed=11)
    for (da, la), (db, lb) in zip(a, b):
        assert np.array_equal(da, db) and np.array_equal(la, lb)


def test_a_seeded_loader_repeats_its_sequence_of_epochs_but_each_epoch_is_new():
    a = Dataloader(numbered(50), batch_size=7, shuffle=True, seed=2)
    b = Dataloader(numbered(50), batch_size=7, shuffle=True, seed=2)
    epochs_a = [order_of(a) for _ in range(3)]
    assert epochs_a == [order_of(b) for _ in range(3)]
    assert epochs_a[0] != epochs_a[1]


def test_different_seeds_give_different_orders():
    a = order_of(Dataloader(numbered(50), batch_size=5, shuffle=True, seed=1))
    b = order_of(Dataloader(numbered(50), batch_size=5, shuffle=True, seed=2))
    assert a != b


def test_without_a_seed_shuffling_follows_the_global_numpy_state_as_in_spaic():
    loader = Dataloader(numbered(30), batch_size=4, shuffle=True)
    np.random.seed(123)
    first = order_of(loader)
    np.random.seed(123)
    assert order_of(loader) == first


def test_a_sampler_of_ones_own_decides_the_order():
    loader = Dataloader(numbered(), batch_size=2, sampler=[9, 8, 7, 1])
    assert order_of(loader) == [9, 8, 7, 1]


def test_a_subset_random_sampler_visits_only_its_indices_in_a_seeded_order():
    loader = Dataloader(numbered(), batch_size=2,
                        sampler=SubsetRandomSampler([1, 4, 6, 9], seed=3))
    order = order_of(loader)
    assert sorted(order) == [1, 4, 6, 9] and len(loader) == 2
    again = Dataloader(numbered(), batch_size=2,
                       sampler=SubsetRandomSampler([1, 4, 6, 9], seed=3))
    assert order_of(again) == order


def test_a_random_sampler_with_replacement_draws_num_samples_indices_in_range():
    sampler = RandomSampler(range(5), replacement=True, num_samples=40, seed=0)
    drawn = list(sampler)
    assert len(drawn) == len(sampler) == 40
    assert set(drawn) <= set(range(5)) and len(set(drawn)) > 1


def test_num_samples_without_replacement_is_refused():
    with pytest.raises(ModelError, match="replacement=True") as err:
        RandomSampler(range(5), num_samples=3)
    assert err.value.symbol == "num_samples"


def test_a_sequential_sampler_gives_the_indices_in_order():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]


def test_a_batch_sampler_groups_indices_and_drops_the_short_last_one_on_request():
    sampler = SequentialSampler(range(7))
    assert list(BatchSampler(sampler, 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(sampler, 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(sampler, 3, False)) == 3
    assert len(BatchSampler(sampler, 3, True)) == 2


def test_a_batch_sampler_given_to_the_loader_decides_the_batches():
    loader = Dataloader(numbered(), batch_sampler=[[3, 1], [0, 2, 5]])
    assert [d.shape[0] for d, _ in loader] == [2, 3]
    assert order_of(loader) == [3, 1, 0, 2, 5]


def test_batch_size_none_yields_single_uncollated_samples():
    samples = list(Dataloader(numbered(3), batch_size=None))
    assert len(samples) == 3
    data, label = samples[2]
    assert data.shape == (2, 3) and int(label) == 2


def test_a_collate_fn_of_ones_own_receives_the_list_of_samples():
    seen = []

    def collate(batch):
        seen.append(len(batch))
        return default_collate(batch)

    list(Dataloader(numbered(), batch_size=4, collate_fn=collate))
    assert seen == [4, 4, 2]


def test_event_samples_are_collated_into_a_batch_by_two_object_array():
    ds = CustomSpikeDataset([[0.5, 1.0, 2.0], [3.0]], [[1, 2, 0], [4]], [0, 1])
    data, label = next(iter(Dataloader(ds, batch_size=2)))
    assert data.shape == (2, 2) and data.dtype == object
    times, ids = data[0]
    assert times.tolist() == [0.5, 1.0, 2.0] and ids.tolist() == [1, 2, 0]
    assert data[1, 0].tolist() == [3.0] and label.tolist() == [0, 1]


def test_try_fetch_reads_one_batch_and_the_input_size():
    loader = Dataloader(numbered(), batch_size=4)
    loader.try_fetch()
    assert loader.data.shape == (4, 2, 3) and loader.label.shape == (4,)
    assert loader.num == 6


@pytest.mark.parametrize("kwargs, symbol", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"batch_size": True}, "batch_size"),
    ({"shuffle": "yes"}, "shuffle"),
    ({"drop_last": 1}, "drop_last"),
    ({"shuffle": True, "sampler": [0, 1]}, "sampler"),
    ({"batch_sampler": [[0]], "batch_size": 4}, "batch_sampler"),
    ({"batch_size": None, "drop_last": True}, "drop_last"),
    ({"sampler": [0, 1], "seed": 3}, "seed"),
])
def test_contradictory_or_invalid_arguments_are_refused_naming_the_argument(kwargs, symbol):
    with pytest.raises(ModelError) as err:
        Dataloader(numbered(), **kwargs)
    assert err.value.where == "Dataloader" and err.value.symbol == symbol


def test_batch_size_cannot_be_changed_after_construction():
    loader = Dataloader(numbered(), batch_size=4)
    with pytest.raises(ModelError, match="cannot be changed") as err:
        loader.batch_size = 8
    assert err.value.symbol == "batch_size"


def test_event_samples_of_equal_lengths_are_still_collated_as_events():
    ds = CustomSpikeDataset([[0.5, 1.0], [3.0, 4.0]], [[1, 2], [4, 0]], [0, 1])
    data, _ = next(iter(Dataloader(ds, batch_size=2)))
    assert data.shape == (2, 2) and data.dtype == object
    assert data[1, 1].tolist() == [4, 0] and data[1, 1].dtype == np.int64


def test_samples_given_as_lists_of_numbers_are_stacked_as_numbers():
    class Plain:
        def __getitem__(self, k):
            return [k, k + 0.5], k

        def __len__(self):
            return 4

    data, label = next(iter(Dataloader(Plain(), batch_size=3)))
    assert data.shape == (3, 2) and data.dtype == np.float64
    assert data[2].tolist() == [2.0, 2.5] and label.tolist() == [0, 1, 2]
