"""Values given for many elements are checked and copied once: the copy is the object's
own (never the caller's array), and the checks find the first bad element in any block."""
import numpy as np
import pytest

from pyspike import batching, checks
from pyspike.codegen.errors import ModelError


def test_one_value_per_element_becomes_a_new_array_of_the_objects_own():
    given = np.linspace(0.0, 1.0, 10)
    made = batching.as_values(given, (10,), "w", "synapse", "here")
    assert made is not given and not np.shares_memory(made, given)
    made[0] = 5.0
    assert given[0] == 0.0


def test_one_value_for_all_is_spread_into_a_new_array():
    made = batching.as_values(2.5, (4,), "w", "synapse", "here")
    assert made.tolist() == [2.5] * 4 and made.flags.writeable


def test_the_first_bad_value_is_named_beyond_the_first_block():
    values = np.ones(3_000_000)
    values[2_500_001] = -1.0
    values[2_900_000] = np.nan
    with pytest.raises(ModelError, match=r"delay\[2500001\] must be a finite number >= 0"):
        batching.as_values(values, (values.size,), "delay", "synapse", "here",
                           minimum=0.0, finite=True)


def test_a_bad_value_of_a_2d_array_is_named_by_row_and_column():
    with pytest.raises(ModelError, match=r"w\[1, 0\] must be a number \(not NaN\)"):
        checks.reals(np.array([[1.0, 2.0], [np.nan, 3.0]]), "w", "here")
