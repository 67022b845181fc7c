import pytest

from tongzhan.lib.iterables import batched


def test_batches_keep_order_and_the_last_one_is_shorter():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


def test_items_are_read_only_as_far_as_the_batch_needs():
    read = []

    def items():
        for n in range(10):
            read.append(n)
            yield n

    first = next(batched(items(), 4))
    assert first == [0, 1, 2, 3] and read == [0, 1, 2, 3]


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError):
        next(batched([1], 0))
