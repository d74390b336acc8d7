#!/bin/sh
# Seeds each target's corpus with the repository's own files of its format (run from fuzz/).
set -e
cd "$(dirname "$0")"
mkdir -p corpus/onnx corpus/nnet corpus/json corpus/csv corpus/npy corpus/vnnlib
cp ../tests/fixtures/onnx/*.onnx ../data/*.onnx corpus/onnx/
cp ../tests/fixtures/nnet/*.nnet corpus/nnet/
cp ../data/moons-2-16-16-1.json ../tests/fixtures/points/*.json corpus/json/
cp ../tests/fixtures/points/*.csv ../tests/fixtures/points/*.txt corpus/csv/
head -3 ../data/digits-scaled.csv > corpus/csv/digits-head.csv
# a 2x2 float64 table and a 3-value float32 point, as numpy writes them
python3 - <<'P'
import struct
def npy(path, header, data):
    h = header.encode()
    h += b" " * ((-(10 + len(h) + 1)) % 64) + b"\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data)
npy("corpus/npy/t.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
    struct.pack("<4d", 0.1, -0.2, 0.3, 0.4))
npy("corpus/npy/p.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
    struct.pack("<3f", 0.1, 0.2, 0.3))
P
cat > corpus/vnnlib/box.vnnlib <<'V'
; a box
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(assert (>= X_0 -0.5))
(assert (<= X_0 0.5))
(assert (and (>= X_1 0.1) (<= X_1 (- 0.2))))
(assert (or (and (>= Y_0 0))))
V
