#!/usr/bin/env python3
"""Trains the digits example network and exports it to ONNX with skl2onnx.

A scikit-learn MLPClassifier with two hidden ReLU layers of 16 units on the UCI handwritten
digits (data/digits.csv, 8x8 pixels with values 0..16, scaled to [0, 1] by /16), exported with
skl2onnx's defaults (a ZipMap head with class probabilities and a label output; relu-regions
drops that head when it reads the file). Writes data/digits-mlp-64-16-16-10.onnx.

Usage: python3 scripts/train_digits_sklearn.py   (from the repository root)
"""
import pathlib

import numpy as np
from skl2onnx import to_onnx
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = 0


def load_digits_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    x = data[:, :64].astype(np.float32) / 16.0
    y = data[:, 64].astype(np.int64)
    return x, y


def main():
    x, y = load_digits_csv(ROOT / "data" / "digits.csv")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    clf = MLPClassifier(hidden_layer_sizes=(16, 16), activation="relu", max_iter=2000, random_state=SEED)
    clf.fit(x_train, y_train)
    print(f"train accuracy {clf.score(x_train, y_train):.4f}")
    print(f"test accuracy {clf.score(x_test, y_test):.4f} on {len(y_test)} held-out images")
    onx = to_onnx(clf, x_train[:1], target_opset=17)
    out = ROOT / "data" / "digits-mlp-64-16-16-10.onnx"
    out.write_bytes(onx.SerializeToString())
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
