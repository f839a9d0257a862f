"""SPAIC's data side on numpy: the ``Dataloader`` and its samplers, and datasets under
SPAIC's names reading SPAIC's file formats from a local folder (never downloading), plus
two datasets that need no files (scikit-learn's digits and a generated MNIST-1D set)."""
from .cifar import CIFAR10, cifar10
from .dataloader import (BatchSampler, Dataloader, RandomSampler, Sampler, SequentialSampler,
                         SubsetRandomSampler, default_collate)
from .datasets import CustomDataset, CustomSpikeDataset, Dataset
from .idx import MNIST, FashionMNIST, read_idx, write_idx
from .offline import MNIST1D, Digits, make_mnist1d
from .spiking import SHD, SSC

__all__ = ["Dataloader", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "BatchSampler", "default_collate",
           "Dataset", "CustomDataset", "CustomSpikeDataset",
           "MNIST", "FashionMNIST", "cifar10", "CIFAR10", "SHD", "SSC",
           "Digits", "MNIST1D", "make_mnist1d", "read_idx", "write_idx"]
