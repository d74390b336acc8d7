"""relu-regions: exact counts and certified bounds of the linear regions of ReLU networks.

>>> import numpy as np, relu_regions as rr
>>> net = rr.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
>>> net.count([0.0, 0.0], radius=1.0).regions        # the axes cut the disk into 4 quadrants
4

``Network.load`` reads ONNX, NNet and relu-regions JSON; ``Network.from_layers`` takes NumPy
arrays and ``Network.from_torch`` a PyTorch ``nn.Sequential``. ``Network.bound`` gives the
bounds of the literature and the local ones, ``Network.count`` the exact count (or an honest
sandwich when stopped), ``Network.count_many`` counts around many points in parallel and
``Network.distance`` the exact distance to a region's boundary.
"""

from ._native import CountResult, Network, __version__

__all__ = ["CountResult", "Network", "__version__"]
