import numpy as np

from textclf._seeds import int_seed


def test_an_int_seed_is_itself_none_stays_none_and_a_generator_gives_one_draw():
    assert int_seed(None) is None and int_seed(np.int64(7)) == 7
    drawn = int_seed(np.random.RandomState(0))
    assert drawn == np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    generator = np.random.RandomState(0)
    assert int_seed(generator) != int_seed(generator)  # the caller's generator advances
