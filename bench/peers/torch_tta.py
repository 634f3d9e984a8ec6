"""Time to accuracy, PyTorch side: Adam on fresh random points every epoch, then L-BFGS with a
strong-Wolfe line search on one fixed set, float64, on the shipped poisson2d and heat1d problems.
pinn's default refinement is self-scaled BFGS, which torch does not have: its stage arrives here as
the L-BFGS stage pinn runs with `optimizer: lbfgs` (5000 iterations, history 50).

usage: python3 torch_tta.py PROBLEM SPEC_JSON [threads] [every] [targets] [max_seconds]

SPEC_JSON is the "spec" object that bench/tta-child.js prints for the same problem: network sizes,
input bounds, the output scale U (u = trial form of U*N), each term's scale (its residual is divided
by it), weight and point count, the Adam and L-BFGS stages and the causal window. The equations and
trial forms are written out below (the same as pinn builds from problems/PROBLEM.yaml; pinn's hard
trial form for poisson2d is 4x(1-x) * 4y(1-y) * U*N). The network has PyTorch's nn.Linear
initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, which is pinn's
"uniform" scheme (its default).

The relative L2 error of u on the evaluation grid (spec.grid points per axis, ends included) is
checked every `every` iterations; the checks are timed and subtracted. Training stops when every
target is reached, when the pipeline ends, or after max_seconds of training. Prints one JSON line.
"""
import json, math, sys, time
import torch

torch.set_default_dtype(torch.float64)
PI = math.pi


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def grad(y, x):
    return torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]


class Problem:
    def __init__(self, name, spec):
        self.name = name
        self.spec = spec
        self.net = mlp(spec["sizes"])
        lo = torch.tensor([b[0] for b in spec["bounds"]])
        hi = torch.tensor([b[1] for b in spec["bounds"]])
        self.lo, self.hi = lo, hi
        self.a = 2 / (hi - lo)
        self.c = -(hi + lo) / (hi - lo)
        self.U = spec["output_scale"][0]
        self.terms = spec["terms"]
        g = [torch.linspace(float(lo[i]), float(hi[i]), n) for i, n in enumerate(spec["grid"])]
        mesh = torch.meshgrid(*g, indexing="ij")
        self.grid = torch.stack([m.reshape(-1) for m in mesh], 1)
        self.exact_grid = self.exact(self.grid)

    def N(self, X):
        return self.net(X * self.a + self.c)

    def rel_l2(self):
        with torch.no_grad():
            u = self.u(self.grid).reshape(-1)
        return (torch.linalg.norm(u - self.exact_grid) / torch.linalg.norm(self.exact_grid)).item()

    def uniform(self, n, fixed=None, window=None):
        """n uniform random points in the domain; fixed: {dim: value}; window: (dim, from, fraction)."""
        X = self.lo + (self.hi - self.lo) * torch.rand(n, self.lo.numel())
        for d, v in (fixed or {}).items():
            X[:, d] = v
        if window is not None and window[0] not in (fixed or {}):
            d, f, w = window
            X[:, d] = f + (X[:, d] - f) * w
        return X

    def loss(self, batch):
        parts = self.residuals(batch)
        total = 0
        for r, t in zip(parts, self.terms):
            total = total + t["weight"] * ((r / t["scale"]) ** 2).mean()
        return total


class Poisson2d(Problem):
    def u(self, X):
        x, y = X[:, 0:1], X[:, 1:2]
        return 4 * x * (1 - x) * (4 * y * (1 - y)) * (self.U * self.N(X))

    def exact(self, X):
        return torch.sin(PI * X[:, 0]) * torch.sin(PI * X[:, 1])

    def batch(self, window=None):
        return [self.uniform(self.terms[0]["points"], window=window)]

    def residuals(self, batch):
        X = batch[0].requires_grad_(True)
        u = self.u(X)
        du = grad(u, X)
        uxx = grad(du[:, 0:1], X)[:, 0:1]
        uyy = grad(du[:, 1:2], X)[:, 1:2]
        x, y = X[:, 0:1], X[:, 1:2]
        return [-(uxx + uyy) - 2 * PI ** 2 * torch.sin(PI * x) * torch.sin(PI * y)]


class Heat1d(Problem):
    k = 0.1

    def u(self, X):
        return self.U * self.N(X)

    def exact(self, X):
        return torch.exp(-self.k * PI ** 2 * X[:, 1]) * torch.sin(PI * X[:, 0])

    def batch(self, window=None):
        n = [t["points"] for t in self.terms]
        return [self.uniform(n[0], window=window), self.uniform(n[1], {1: 0.0}, window),
                self.uniform(n[2], {0: 0.0}, window), self.uniform(n[3], {0: 1.0}, window)]

    def residuals(self, batch):
        X = batch[0].requires_grad_(True)
        u = self.u(X)
        du = grad(u, X)
        ut = du[:, 1:2]
        uxx = grad(du[:, 0:1], X)[:, 0:1]
        X0 = batch[1]
        return [ut - self.k * uxx, self.u(X0) - torch.sin(PI * X0[:, 0:1]), self.u(batch[2]), self.u(batch[3])]


PROBLEMS = {"poisson2d": Poisson2d, "heat1d": Heat1d}


def main():
    name, spec = sys.argv[1], json.loads(open(sys.argv[2]).read())
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    targets = [float(t) for t in sys.argv[5].split(",")] if len(sys.argv) > 5 else [1e-3, 1e-5]
    max_seconds = float(sys.argv[6]) if len(sys.argv) > 6 else math.inf
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    p = PROBLEMS[name](name, spec)
    params = list(p.net.parameters())
    hits = [{"target": t, "seconds": None, "cpu_seconds": None, "iteration": None, "optimizer": None} for t in targets]
    clock = {"out_of_budget": False, "start": time.perf_counter(), "cpu": time.process_time(), "excluded": 0.0, "excluded_cpu": 0.0, "best": math.inf, "checks": 0}
    trace = []

    def check(iteration, optimizer):
        """Error check; True once every target is reached."""
        t0, c0 = time.perf_counter(), time.process_time()
        err = p.rel_l2()
        t1, c1 = time.perf_counter(), time.process_time()
        seconds = t0 - clock["start"] - clock["excluded"]
        cpu = c0 - clock["cpu"] - clock["excluded_cpu"]
        clock["excluded"] += t1 - t0
        clock["excluded_cpu"] += c1 - c0
        clock["checks"] += 1
        clock["best"] = min(clock["best"], err)
        trace.append([iteration, seconds, err])
        for h in hits:
            if h["seconds"] is None and err <= h["target"]:
                h.update(seconds=seconds, cpu_seconds=cpu, iteration=iteration, optimizer=optimizer)
        if seconds > max_seconds:
            clock["out_of_budget"] = True
        return all(h["seconds"] is not None for h in hits) or clock["out_of_budget"]

    iteration = 0
    finished = False
    stages = []
    for stage in spec["stages"]:
        if finished:
            break
        if stage["optimizer"] == "adam":
            opt = torch.optim.Adam(params, lr=stage["learningRate"])
            epochs = stage["epochs"]
            for done in range(epochs):
                window = None
                if spec["causal"] is not None:
                    w = min(1.0, 0.1 + 0.9 * done / max(1, 0.5 * epochs))
                    window = (spec["causal"]["variable"], spec["causal"]["from"], w) if w < 1 else None
                opt.zero_grad()
                L = p.loss(p.batch(window))
                L.backward()
                opt.step()
                iteration += 1
                if iteration % every == 0 and check(iteration, "adam"):
                    finished = True
                    break
            stages.append({"optimizer": "adam", "iterations": done + 1})
        else:
            batch = p.batch()
            # torch's LBFGS.step re-evaluates the closure at its starting point on every call; the
            # point it starts from is the one the previous call ended on, so that evaluation is
            # served from this cache (pinn's L-BFGS keeps its point between steps the same way).
            cache = []

            def closure():
                flat = torch.cat([q.detach().reshape(-1) for q in params])
                for (x, f, g) in cache:
                    if torch.equal(x, flat):
                        for q, gq in zip(params, g):
                            q.grad = gq.clone()
                        return f
                opt.zero_grad()
                L = p.loss(batch)
                L.backward()
                cache.append((flat, L.detach(), [q.grad.detach().clone() for q in params]))
                del cache[:-3]
                return L

            opt = torch.optim.LBFGS(params, lr=stage["learningRate"], max_iter=every, max_eval=every * 25,
                                    history_size=stage["historySize"], tolerance_grad=1e-12, tolerance_change=1e-14,
                                    line_search_fn="strong_wolfe")
            done = 0
            while done < stage["iterations"]:
                before = opt.state[opt._params[0]].get("n_iter", 0)
                opt.step(closure)
                after = opt.state[opt._params[0]].get("n_iter", 0)
                steps = after - before
                done += steps
                iteration += steps
                if check(iteration, "lbfgs"):
                    finished = True
                    break
                if steps < every:  # converged (a tolerance held)
                    break
            stages.append({"optimizer": "lbfgs", "iterations": done})
    end = time.perf_counter()
    print(json.dumps({"impl": "pytorch-" + torch.__version__, "problem": name, "threads": threads, "every": every,
                      "hits": hits, "best_rel_l2": clock["best"],
                      "budget_seconds": None if math.isinf(max_seconds) else max_seconds, "out_of_budget": clock["out_of_budget"], "iterations": iteration,
                      "train_seconds": end - clock["start"] - clock["excluded"], "check_seconds": clock["excluded"],
                      "checks": clock["checks"], "stages": stages, "trace": trace}))


main()
