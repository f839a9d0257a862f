"""SPAIC's front end on pyspike: ``import pyspike.spaic as spaic`` in place of ``import
spaic`` builds networks SPAIC's way (Network, Assembly, NeuronGroup, Connection, Encoder,
Decoder, Learner, monitors, datasets) and runs them on pyspike's compiled kernels.

What SPAIC 0.6.2 offers and what is built here: ``../shared/reference/spaic.md`` and the
README's section on SPAIC.
"""
from .assembly import Assembly
from .data import (BatchSampler, CIFAR10, CustomDataset, CustomSpikeDataset, Dataloader,
                   Dataset, Digits, FashionMNIST, MNIST, MNIST1D, RandomSampler, SHD, SSC,
                   Sampler, SequentialSampler, SubsetRandomSampler, cifar10,
                   default_collate, make_mnist1d, read_idx, write_idx)
from .connections import (Connection, ExcludedTypePolicy, IncludedTypePolicy,
                          IndexConnectPolicy, Projection)
from . import conv  # noqa: F401  (registers the conv and pool links)
from .initializers import (BaseInitializer, constant, kaiming_normal, kaiming_uniform,
                           normal, sparse, uniform, xavier_normal, xavier_uniform)
from .learners import Learner
from . import learners_gradient  # noqa: F401  (registers STCA, STBP and sbp)
from .monitors import SpikeMonitor, StateMonitor
from .network import Backend, Network, Torch_Backend
from .neurons import NeuronGroup
from .nodes import Encoder, Generator, Node
from .outputs import Action, Decoder, Reward
from .structure_io import network_load, network_save

__all__ = ["Action", "Assembly", "Backend", "BaseInitializer", "BatchSampler", "CIFAR10",
           "Connection", "CustomDataset", "CustomSpikeDataset", "Dataloader", "Dataset",
           "Digits", "FashionMNIST", "MNIST", "MNIST1D", "RandomSampler", "SHD", "SSC",
           "Sampler", "SequentialSampler", "SubsetRandomSampler", "cifar10",
           "default_collate", "make_mnist1d", "read_idx", "write_idx", "Decoder", "Encoder",
           "ExcludedTypePolicy", "Generator", "IncludedTypePolicy", "IndexConnectPolicy",
           "Learner", "Network", "NeuronGroup", "Node", "Projection", "Reward", "SpikeMonitor",
           "StateMonitor", "Torch_Backend", "constant", "kaiming_normal", "kaiming_uniform",
           "network_load", "network_save", "normal", "sparse", "uniform", "xavier_normal",
           "xavier_uniform"]
