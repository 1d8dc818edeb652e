import itertools

import numpy as np
import pytest

from textclf.models.neural import BucketedBatches, SequenceTokenizer, plan_batches
from textclf.models.neural._batching import width_ladder
from textclf.models.neural._tokenizer import TokenSequences


def _sequences(lengths) -> TokenSequences:
    lengths = np.asarray(lengths)
    ids = np.arange(2, 2 + lengths.sum(), dtype=np.int32)  # every token distinct, never 0
    return TokenSequences(ids=ids, offsets=np.concatenate([[0], np.cumsum(lengths)]))


@pytest.fixture
def lengths():
    return np.random.default_rng(0).integers(0, 90, size=1003)


def test_every_row_is_in_exactly_one_batch_each_epoch(lengths):
    batches = BucketedBatches(_sequences(lengths), np.zeros(len(lengths)), batch_size=32,
                              bucket_batches=4, seed=1)
    orders = []
    for _ in range(3):
        rows = np.concatenate(batches.batches)
        assert len(batches) == len(batches.batches) == 32  # ceil(1003 / 32)
        assert np.array_equal(np.sort(rows), np.arange(len(lengths)))
        orders.append(rows)
        batches.on_epoch_end()
    assert not np.array_equal(orders[0], orders[1])  # a new arrangement each epoch


def test_each_batch_is_padded_only_to_its_own_longest_row_capped_at_max_len(lengths):
    sequences = _sequences(lengths)
    batches = BucketedBatches(sequences, np.arange(len(lengths)), batch_size=32, max_len=70,
                              bucket_batches=4, seed=1)
    for index in range(len(batches)):
        x, y = batches[index]
        rows = y.ravel().astype(int)
        kept = np.minimum(lengths[rows], 70)
        assert x.shape == (len(rows), max(kept.max(), 1))
        # Real tokens first, then padding; each row's tokens are its own (cut at 70).
        assert np.array_equal((x != 0).sum(axis=1), kept)
        for row, padded in zip(rows, x):
            assert np.array_equal(padded[:kept[rows.tolist().index(row)]],
                                  sequences.row(row)[:70])


def test_bucketing_sorts_within_chunks_so_batches_hold_similar_lengths():
    # Question-like lengths: mostly short, a few long.
    lengths = np.minimum(np.random.default_rng(0).geometric(1 / 14, size=1003), 100)
    sequences = _sequences(lengths)
    bucketed = BucketedBatches(sequences, batch_size=32, bucket_batches=8, seed=0)
    random_batches = BucketedBatches(sequences, batch_size=32, bucket_batches=1, seed=0)
    fixed = BucketedBatches(sequences, batch_size=32, dynamic=False, seed=0)
    cells = {name: b.padded_cells()[0] for name, b in
             [("bucketed", bucketed), ("random", random_batches), ("fixed", fixed)]}
    assert cells["bucketed"] < cells["random"] < cells["fixed"] == len(lengths) * 70
    assert all(fixed[i].shape[1] == 70 for i in range(len(fixed)))


def test_prediction_batches_follow_length_order_and_row_order_restores_input_order():
    lengths = np.array([5, 1, 3, 0, 2])
    batches = BucketedBatches(_sequences(lengths), batch_size=2, shuffle=False)
    order = batches.row_order()
    assert sorted(order.tolist()) == [0, 1, 2, 3, 4]
    widths = [batches[i].shape[1] for i in range(len(batches))]
    # Sorted by length (0,1 | 2,3 | 5), except that the first two batches differ in width.
    assert widths[0] != widths[1] and sorted(widths) == [1, 3, 5]


def test_first_two_batches_differ_in_width_whenever_widths_differ():
    # Keras's TensorFlow backend reads the input signature from the first two batches.
    lengths = np.array([4] * 40 + [7] * 2)
    for seed in range(10):
        batches = BucketedBatches(_sequences(lengths), batch_size=4, seed=seed)
        assert batches.batch_width(0) != batches.batch_width(1)


def test_pad_multiple_rounds_widths_up_within_max_len():
    batches = BucketedBatches(_sequences([1, 9, 17, 69]), batch_size=1, max_len=70,
                              pad_multiple=8, shuffle=False)
    assert sorted(batches.batch_width(i) for i in range(4)) == [8, 16, 24, 70]


def test_widths_pad_each_batch_to_the_smallest_rung_that_holds_it():
    batches = BucketedBatches(_sequences([1, 4, 5, 33, 65, 70]), batch_size=1, max_len=70,
                              widths=width_ladder(70), shuffle=False)
    assert sorted(batches.batch_width(i) for i in range(6)) == [4, 4, 8, 40, 70, 70]


def test_the_width_ladder_steps_grow_with_the_width_and_end_at_max_len():
    ladder = width_ladder(512)
    assert ladder[:9] == (4, 8, 12, 16, 20, 24, 28, 32, 40) and ladder[-1] == 512
    steps = np.diff(ladder)
    assert (np.diff(steps) >= 0).all()  # never finer further up
    # Every rung above 16 wastes at most a fifth of its cells on the row one above the rung
    # below.
    assert all((high - low - 1) / high <= 0.2 for low, high in itertools.pairwise(ladder[3:]))
    assert width_ladder(16) == (4, 8, 12, 16) and width_ladder(70)[-2:] == (64, 70)


def test_plan_batches_without_shuffle_is_a_global_length_sort():
    plan = plan_batches(np.array([3, 1, 2, 0]), 2, shuffle=False)
    assert [b.tolist() for b in plan] == [[3, 1], [2, 0]]


def test_same_seed_same_arrangement():
    lengths = np.random.default_rng(3).integers(0, 20, 200)
    first = BucketedBatches(_sequences(lengths), batch_size=16, seed=7)
    second = BucketedBatches(_sequences(lengths), batch_size=16, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first.batches, second.batches))


def test_tokenizer_output_feeds_the_batches():
    tokenizer = SequenceTokenizer().fit(["a b c", "d"])
    batches = BucketedBatches(tokenizer.transform(["a b c", "d", ""]), [1, 0, 0],
                              batch_size=8, shuffle=False)
    x, y = batches[0]
    assert x.shape == (3, 3) and y.shape == (3, 1) and y.dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [({"batch_size": 0}, "batch_size"),
                                             ({"batch_size": True}, "batch_size"),
                                             ({"bucket_batches": 0}, "bucket_batches"),
                                             ({"widths": [8, 0]}, "widths"),
                                             ({"y": [1, 0]}, "targets")])
def test_invalid_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BucketedBatches(_sequences([1, 2, 3]), **kwargs)
