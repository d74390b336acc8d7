"""Writes data/digits-scaled.csv: the first 20 images of data/digits.csv scaled to [0, 1]
(pixel / 16, as the digits example network was trained), without the label column, so a row can
be used directly as a center: `--center-file data/digits-scaled.csv --row K`."""
import csv
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
src = root / "data" / "digits.csv"
if not src.exists():
    src = root.parent / "shared" / "data" / "digits.csv"
with open(src) as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:21]
cols = [i for i, name in enumerate(header) if name != "label"]
with open(root / "data" / "digits-scaled.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow([header[i] for i in cols])
    for r in body:
        w.writerow([repr(int(r[i]) / 16.0) for i in cols])
