#!/usr/bin/env python3
"""Prints, as a JSON array, the image a VNN-LIB input box was built around: the box is
[x - eps, x + eps] clipped to [0, 1], so x = lo + eps where lo > 0, else hi - eps (eps: half the
largest width). Standard library only.

Usage: python3 scripts/vnnlib_image.py PROPERTY.vnnlib > image.json
"""
import json
import re
import sys

text = open(sys.argv[1]).read()
lo, hi = {}, {}
for op, i, v in re.findall(r"\(assert \((<=|>=) X_(\d+) ([-+0-9.eE]+)\)\)", text):
    (hi if op == "<=" else lo)[int(i)] = float(v)
eps = max(hi[i] - lo[i] for i in lo) / 2
print(json.dumps([lo[i] + eps if lo[i] > 0 else hi[i] - eps for i in range(len(lo))]))
