"""Benchmark nncore against scikit-learn (and PyTorch, if installed).

Run with ``.venv/bin/python scripts/bench.py`` (``make bench``). Two parts:

1. Same MLP, same data, same mini-batches and epochs, float64 everywhere:
   nncore vs scikit-learn's MLPClassifier (vs PyTorch CPU if importable).
   Reports seconds per epoch, the time ratio to nncore, and held-out accuracy.
2. One large-batch training step of nncore (N = 8192, three 1024 -> 1024
   Linear layers) in GFLOP/s, next to this machine's NumPy matmul rate for
   the same matrix sizes, measured in the same run.

NumPy's default BLAS threading is left as it is.
"""
import argparse
import time
import warnings

import numpy as np

import nncore as nc

# -- part 1: a synthetic tabular classification problem ------------------------------------


def make_problem(n, d, n_classes, rng):
    """Inputs X ~ N(0, I) (n, d); labels from a random 'teacher' network, argmax of its logits."""
    X = rng.standard_normal((n, d))  # (n, d)
    A = rng.standard_normal((d, 16)) / np.sqrt(d)  # teacher: 16 tanh units
    B = rng.standard_normal((16, n_classes))
    y = np.argmax(np.tanh(0.5 * X @ A) @ B, axis=1)  # (n,)
    return X, y


def time_nncore(X, y, X_test, y_test, hidden, epochs, batch_size, lr, seed):
    rng = np.random.default_rng(seed)
    # init="xavier": the same Glorot-uniform weight scale MLPClassifier uses
    model = nc.MLP([X.shape[1], *hidden, int(y.max()) + 1], "relu", init="xavier", rng=rng)
    opt = nc.Adam(model.parameters(), lr=lr)
    t0 = time.perf_counter()
    nc.fit(model, nc.CrossEntropyLoss(), opt, X, y, epochs=epochs, batch_size=batch_size, rng=rng)
    seconds = time.perf_counter() - t0
    accuracy = float(np.mean(model.eval()(X_test).argmax(axis=1) == y_test))
    return seconds / epochs, accuracy


def time_sklearn(X, y, X_test, y_test, hidden, epochs, batch_size, lr, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                        alpha=0.0, batch_size=batch_size, learning_rate_init=lr,
                        max_iter=epochs, shuffle=True, tol=0.0, n_iter_no_change=epochs + 1,
                        early_stopping=False, random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # we stop after `epochs` on purpose
        clf.fit(X, y)
    seconds = time.perf_counter() - t0
    assert clf.n_iter_ == epochs
    return seconds / epochs, float(clf.score(X_test, y_test))


def time_torch(X, y, X_test, y_test, hidden, epochs, batch_size, lr, seed):
    import torch

    torch.manual_seed(seed)
    sizes = [X.shape[1], *hidden, int(y.max()) + 1]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt))
        for start in range(0, len(Xt), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        pred = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    return seconds / epochs, float(np.mean(pred == y_test))


def compare(args):
    rng = np.random.default_rng(args.seed)
    X, y = make_problem(args.n + args.n_test, args.d, args.classes, rng)
    X_train, y_train, X_test, y_test = X[:args.n], y[:args.n], X[args.n:], y[args.n:]
    setup = (X_train, y_train, X_test, y_test, tuple(args.hidden), args.epochs,
             args.batch_size, args.lr, args.seed)
    print(f"Part 1: N={args.n} train / {args.n_test} test, D={args.d}, hidden "
          f"{'-'.join(map(str, args.hidden))}, {args.classes} classes, Adam lr={args.lr}, "
          f"batch {args.batch_size}, {args.epochs} epochs, float64\n")
    runners = {"nncore": time_nncore, "scikit-learn MLPClassifier": time_sklearn}
    try:
        import torch  # noqa: F401
        runners["PyTorch CPU"] = time_torch
    except ImportError:
        pass
    # Each library trains `trials` times, interleaved; the fastest trial counts
    # (the least disturbed by other work on the machine). Accuracies are
    # deterministic for a given seed.
    results = {name: [] for name in runners}
    for _ in range(args.trials):
        for name, run in runners.items():
            results[name].append(run(*setup))
    base = min(sec for sec, _ in results["nncore"])
    print(f"{'library':<28}{'s / epoch':>10}{'time / nncore':>15}{'test accuracy':>15}"
          f"   (fastest of {args.trials} trials)")
    for name, runs in results.items():
        sec, acc = min(runs)
        print(f"{name:<28}{sec:>10.3f}{sec / base:>15.2f}{acc:>15.3f}")
    if "PyTorch CPU" not in runners:
        print(f"{'PyTorch CPU':<28}   skipped: torch is not importable")


# -- part 2: efficiency of one large-batch step --------------------------------------------


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def efficiency(args):
    n, d, n_layers = args.big_n, args.big_d, 3
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((n, d))
    Y = rng.standard_normal((n, d))
    model = nc.MLP([d] * (n_layers + 1), "relu", rng=rng)
    loss = nc.MSELoss()
    opt = nc.SGD(model.parameters(), lr=1e-3)

    def step():  # one full training step: forward, loss, backward, update
        opt.zero_grad()
        loss.forward(model.forward(X), Y)
        model.backward(loss.backward())
        opt.step()

    flops = n_layers * 3 * 2 * n * d * d  # 3 matmuls (XW, X^T dY, dY W^T) per Linear
    W = rng.standard_normal((d, d))
    n_mm = 3 * n_layers

    def matmuls():  # the reference: as many plain (n, d) @ (d, d) products as a step has
        for _ in range(n_mm):
            np.matmul(X, W)

    step(), matmuls()  # warm-up
    # Interleave the two measurements (each takes about as long as the other)
    # so both see the same machine conditions; keep the fastest of each.
    t_step, t_block = np.inf, np.inf
    for _ in range(args.repeats):
        t_step = min(t_step, timed(step))
        t_block = min(t_block, timed(matmuls))
    t_matmul = t_block / n_mm
    peak = 2 * n * d * d / t_matmul / 1e9
    achieved = flops / t_step / 1e9
    print(f"\nPart 2: one training step, N={n}, {n_layers} x Linear({d} -> {d}) + ReLU, "
          f"MSE, SGD ({flops / 1e9:.1f} GFLOP in {3 * n_layers} matmuls)")
    print(f"  nncore step:       {t_step:.3f} s  = {achieved:6.1f} GFLOP/s")
    print(f"  NumPy matmul peak: {t_matmul:.3f} s  = {peak:6.1f} GFLOP/s "
          f"(one ({n}, {d}) @ ({d}, {d}); best of {args.repeats} runs of {n_mm} in a row)")
    print(f"  nncore reaches {100 * achieved / peak:.1f}% of this machine's matmul rate")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--n-test", type=int, default=5000)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--big-n", type=int, default=8192)
    p.add_argument("--big-d", type=int, default=1024)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    compare(args)
    efficiency(args)


if __name__ == "__main__":
    main()
