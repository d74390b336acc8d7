"""Trains a small 2-D example network, data/moons-2-16-16-1.json: scikit-learn's MLPClassifier
(hidden 16, 16, ReLU) on the two-moons data set (noise 0.15, 500 points, seed 0), written in
relu-regions' JSON format (weight rows = outputs, as PyTorch stores them; sklearn's coefs_ are
(in, out), hence the transpose). Also writes data/moons-points.csv (the first 20 training points)."""
import json
import pathlib

import numpy as np
from sklearn.datasets import make_moons
from sklearn.neural_network import MLPClassifier

root = pathlib.Path(__file__).resolve().parent.parent
X, y = make_moons(n_samples=500, noise=0.15, random_state=0)
clf = MLPClassifier(hidden_layer_sizes=(16, 16), activation="relu", max_iter=3000, random_state=0)
clf.fit(X, y)
print("training accuracy", clf.score(X, y))
layers = [
    {"weight": W.T.tolist(), "bias": b.tolist()} for W, b in zip(clf.coefs_, clf.intercepts_)
]
(root / "data" / "moons-2-16-16-1.json").write_text(json.dumps({"layers": layers}) + "\n")
np.savetxt(root / "data" / "moons-points.csv", X[:20], delimiter=",", header="x,y", comments="", fmt="%.17g")
