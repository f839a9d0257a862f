"""What a network split over MPI ranks (:mod:`pyspike.partition`) asks of its groups and
Synapses, part of the protocol between a network and its objects (tests/test_private.py):
``_block`` gives a copy of the object that holds one rank's block of it, to join that
rank's own network.  The copy shares the model, its parameters and its code with the
original; it has the block's state and size and belongs to no network yet.
"""
from __future__ import annotations

import copy

#: The names ``_block`` takes for fields that the objects keep under private names.
_FIELDS = {"first": "_first", "neurons": "_neurons"}
#: What the original gathered while it joined its network: empty in a block.
_JOINING = ("_pending", "_deferred", "_parsed")


class Block:
    """The block protocol of NeuronGroup and Synapses (a mixin)."""

    #: A group's first neuron in the whole group, for its random draws (GroupSpec.first).
    _first = 0

    def _block(self, **fields):
        """A copy of this object with ``fields`` replaced (``N``, ``state``, ``first``,
        ``source``, ``target``, ``neurons``), in no network."""
        twin = copy.copy(self)
        twin._become(fields)
        return twin

    def _become(self, fields: dict) -> None:
        own = self.__dict__
        own.update({_FIELDS.get(k, k): v for k, v in fields.items()})
        own.update(network=None, index=None)
        for name in _JOINING:
            if name in own:
                own[name] = type(own[name])()
