"""PyTorch CPU peer of `prunelab bench`: training throughput of the identical architecture
(tests/reference/models.py) on random images — forward, cross-entropy, backward, SGD with
momentum 0.9 and weight decay 5e-4 (PyTorch's own optimiser). Prints one JSON line: the faster of
all CPU threads (PyTorch's default) and one thread — on a busy machine PyTorch's spinning thread
pool can be many times slower than a single thread, and the peer should be the best PyTorch gets.

    python bench/torch_train.py --model resnet20 --batch 64 --steps 10
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from models import CifarResNet, Cnn, Lenet300  # noqa: E402

NETS = {
    "lenet300": (lambda: Lenet300(), (1, 28, 28)),
    "cnn": (lambda: Cnn(1, 28), (1, 28, 28)),
    "resnet20": (lambda: CifarResNet(20, 10), (3, 32, 32)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(NETS), default="resnet20")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10, help="timed steps, after as many warm-up steps")
    args = parser.parse_args()
    best = None
    for threads in sorted({torch.get_num_threads(), 1}, reverse=True):
        torch.set_num_threads(threads)
        ms = measure(args)
        if best is None or ms < best[0]:
            best = (ms, threads)
    ms, threads = best
    print(json.dumps({
        "model": args.model, "backend": "pytorch-cpu", "torch": torch.__version__, "threads": threads,
        "batch": args.batch, "ms_per_step": round(ms, 1), "images_per_s": round(args.batch * 1e3 / ms, 1),
    }))


def measure(args):
    """Milliseconds per training step, after as many warm-up steps."""
    torch.manual_seed(0)
    make, shape = NETS[args.model]
    model = make().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    images = torch.randint(0, 256, (2 * args.steps, args.batch, *shape), dtype=torch.uint8)
    labels = torch.randint(0, 10, (2 * args.steps, args.batch))

    def step(i):
        x = images[i].float() / 255.0
        loss = F.cross_entropy(model(x), labels[i])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.detach()

    for i in range(args.steps):
        step(i)
    start = time.perf_counter()
    for i in range(args.steps, 2 * args.steps):
        step(i)
    return (time.perf_counter() - start) / args.steps * 1e3


if __name__ == "__main__":
    main()
