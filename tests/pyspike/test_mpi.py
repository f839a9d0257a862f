"""pyspike/mpi.py: a process is one of several MPI ranks only where a launcher says so, and
then needs mpi4py (the sweeps over ranks themselves: test_sweep_mpi.py)."""
import sys

import pytest

from pyspike import mpi
from pyspike.codegen.errors import ModelError


@pytest.mark.parametrize("environ", [{}, {"OMPI_COMM_WORLD_SIZE": "1"}, {"PMI_SIZE": "1"}])
def test_a_process_without_a_launcher_or_alone_is_one_rank_without_mpi4py(environ,
                                                                          monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)             # importing it would fail
    ranks = mpi.world(environ)
    assert (ranks.rank, ranks.size) == (0, 1)
    assert ranks.mine([4, 5, 6]) == [4, 5, 6]


@pytest.mark.parametrize("environ, size", [({"OMPI_COMM_WORLD_SIZE": "4"}, 4),
                                           ({"PMI_SIZE": "2", "PMI_RANK": "1"}, 2),
                                           ({"MV2_COMM_WORLD_SIZE": "8"}, 8),
                                           ({"PMIX_RANK": "0"}, 0)])
def test_the_launchers_environment_says_how_many_ranks_it_started(environ, size):
    assert mpi.launched(environ) == size


def test_several_ranks_without_mpi4py_are_refused_with_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ModelError, match="started by an MPI launcher, but mpi4py cannot be "
                                         "imported") as err:
        mpi.world({"OMPI_COMM_WORLD_SIZE": "2"})
    assert "\n" not in err.value.message
