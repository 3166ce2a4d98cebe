"""NumPy peer of `prunelab bench-selection`: one Global-Magnitude + AP-Pro selection (AP paper,
Algorithm 2, p = 20 %, q = 2 %) over the same θ* and θ0 that `prunelab bench-selection --dump DIR`
wrote, with np.argpartition: prune the (p − q) % smallest |θ*|, then among the surviving negative
weights the q % with the smallest |θ* − θ0|. Ties are not ordered (prunelab's are, by layer and
index). Prints one JSON line.

    python bench/numpy_select.py DIR
"""

import json
import sys
import time

import numpy as np


def select(star, init, p=20.0, q=2.0):
    n = star.size
    keep = np.ones(n, dtype=bool)
    base = int(n * (p - q) / 100)
    keep[np.argpartition(np.abs(star), base)[:base]] = False
    ap = int(n * q / 100)
    candidates = np.flatnonzero(keep & (star < 0))
    moved = np.abs(star[candidates] - init[candidates])
    keep[candidates[np.argpartition(moved, ap)[:ap]]] = False
    return base, ap


def main():
    folder = sys.argv[1]
    star = np.fromfile(f"{folder}/theta_star.f32", dtype="<f4")
    init = np.fromfile(f"{folder}/theta0.f32", dtype="<f4")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        base, ap = select(star, init)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"peer": "numpy", "numpy": np.__version__, "weights": int(star.size), "pruned_base": base, "pruned_ap": ap, "ms": round(best * 1e3, 1)}))


if __name__ == "__main__":
    main()
