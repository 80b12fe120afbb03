"""Benchmark nncore: small networks against inline NumPy, large ones against scikit-learn.

Run with ``.venv/bin/python scripts/bench.py`` (``make bench``). Three parts:

1. The book's scale: a 9-8-1 ReLU MLP trained for 300 full-batch SGD steps
   on 600 noisy line images, (a) with nncore's calls in a loop (zero_grad,
   forward, loss, backward, step), (b) with ``NeuralNetwork.fit``, each
   against the same arithmetic written inline in NumPy. The ratios show
   nncore's overhead per call, which decides how long the book takes to
   build (its chapters train many small networks). All runs must end with
   identical weights, which the script checks.
2. Same MLP, same data, same mini-batches and epochs, float64 everywhere:
   nncore vs scikit-learn's MLPClassifier (vs PyTorch CPU if importable).
   Reports seconds per epoch, the time ratio to nncore, and held-out accuracy.
3. One large-batch training step of nncore (N = 8192, three 1024 -> 1024
   Linear layers) in GFLOP/s, next to this machine's NumPy matmul rate for
   the same matrix sizes, measured in the same run.

Every timing is the fastest of several repeats, interleaved, so that all
contenders see the same machine conditions. NumPy's default BLAS threading
is left as it is.
"""
import argparse
import time
import warnings

import numpy as np

import nncore as nc

# -- part 1: small networks, the book's scale -----------------------------------------------
# Timed in CPU time of this process (time.process_time): the runs are short,
# and CPU time is less disturbed by other work on the machine than wall time.
_clock = time.process_time

SMALL_SIZES = [9, 8, 1]


def small_inline(X, Y, W1, b1, W2, b2, steps, lr, input_grad):
    """`steps` full-batch SGD steps of the 9-8-1 ReLU MLP, written out in NumPy.

    The same formulas as nncore's (stable logistic loss and sigmoid), on
    copies of the given weights. With `input_grad`, also dL/dX, which
    ``model.backward`` returns and ``fit`` does not compute.
    """
    W1, b1, W2, b2 = W1.copy(), b1.copy(), W2.copy(), b2.copy()
    n = len(X)
    t0 = _clock()
    for _ in range(steps):
        Z1 = X @ W1 + b1  # (N, 8)
        A1 = np.maximum(Z1, 0.0)
        Z2 = A1 @ W2 + b2  # (N, 1) logits
        loss = float(np.mean(np.maximum(Z2, 0.0) - Z2 * Y + np.log1p(np.exp(-np.abs(Z2)))))
        e = np.exp(-np.abs(Z2))
        dZ2 = (np.where(Z2 >= 0, 1.0 / (1.0 + e), e / (1.0 + e)) - Y) / n  # (sigmoid - y) / N
        dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
        if input_grad:
            dX = dZ1 @ W1.T  # noqa: F841 (computed, as model.backward does)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    seconds = _clock() - t0
    assert np.isfinite(loss)
    return seconds, [W1, b1, W2, b2]


def small_loop(X, Y, model, steps, lr):
    """The loop every chapter writes: zero_grad, forward, loss, backward, step."""
    loss = nc.BCEWithLogitsLoss()
    opt = nc.SGD(model.parameters(), lr=lr)
    t0 = _clock()
    for _ in range(steps):
        opt.zero_grad()
        loss.forward(model.forward(X), Y)
        model.backward(loss.backward())
        opt.step()
    return _clock() - t0, [p for p, _ in model.parameters()]


def small_fit(X, y, seed, steps, lr):
    net = nc.NeuralNetwork(SMALL_SIZES, "relu", rng=np.random.default_rng(seed))
    t0 = _clock()
    net.fit(X, y, epochs=steps, batch_size=None, lr=lr, optimizer="sgd")
    return _clock() - t0, [p for p, _ in net.model.parameters()]


def small(args):
    X, y = nc.make_lines(600, 0.3, np.random.default_rng(args.seed))
    Y = y.astype(np.float64)[:, None]  # (600, 1) float targets, prepared once for both loops
    steps, lr, seed = args.small_steps, 0.5, args.seed + 1
    start = nc.MLP(SMALL_SIZES, "relu", rng=np.random.default_rng(seed)).state_dict()
    weights = [start[k] for k in ("0.W", "0.b", "2.W", "2.b")]
    runners = {
        "inline": lambda: small_inline(X, Y, *weights, steps, lr, input_grad=False),
        "inline_dX": lambda: small_inline(X, Y, *weights, steps, lr, input_grad=True),
        "loop": lambda: small_loop(
            X, Y, nc.MLP(SMALL_SIZES, "relu", rng=np.random.default_rng(seed)), steps, lr),
        "fit": lambda: small_fit(X, y, seed, steps, lr),
    }
    best = {name: np.inf for name in runners}
    for _ in range(args.small_repeats):
        for name, run in runners.items():
            seconds, final = run()
            best[name] = min(best[name], seconds)
            # the same arithmetic: every contender ends with the same weights, bit for bit
            if name == "inline":
                reference = final
            else:
                assert all(np.array_equal(a, b) for a, b in zip(final, reference)), name
    ms = {name: 1e3 * sec for name, sec in best.items()}
    loop_ratio = best["loop"] / best["inline_dX"]
    fit_ratio = best["fit"] / best["inline"]
    print(f"Part 1: MLP {'-'.join(map(str, SMALL_SIZES))} (ReLU), 600 noisy line images, "
          f"{steps} full-batch SGD steps, float64 (fastest of {args.small_repeats})\n")
    print(f"  inline NumPy, forward + loss + gradients + update      {ms['inline']:7.1f} ms")
    print(f"  inline NumPy, also dL/dX (as model.backward returns)   {ms['inline_dX']:7.1f} ms")
    print(f"  nncore loop (zero_grad, forward, loss, backward, step) {ms['loop']:7.1f} ms"
          f"   {loop_ratio:.2f} x inline with dL/dX (target <= 1.3)")
    print(f"  NeuralNetwork.fit (also records loss and accuracy)     {ms['fit']:7.1f} ms"
          f"   {fit_ratio:.2f} x inline (fit skips dL/dX; target <= 1.5)")
    print("  all four end with bit-identical weights\n")


# -- part 2: a synthetic tabular classification problem ------------------------------------


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
    print(f"Part 2: N={args.n} train / {args.n_test} test, D={args.d}, hidden "
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


# -- part 3: efficiency of one large-batch step --------------------------------------------


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
    print(f"\nPart 3: one training step, N={n}, {n_layers} x Linear({d} -> {d}) + ReLU, "
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
    p.add_argument("--small-steps", type=int, default=300)
    p.add_argument("--small-repeats", type=int, default=9)
    p.add_argument("--only-small", action="store_true", help="run part 1 only")
    args = p.parse_args()
    small(args)
    if not args.only_small:
        compare(args)
        efficiency(args)


if __name__ == "__main__":
    main()
