"""The engine as a library, op by op, in PyTorch (float64, one thread by default): the four cases of
bench/ops-child.ts. Prints one JSON line with the median wall ms of one call of each and the mean
process CPU ms of one call (<case>_cpu_ms).

usage: python3 torch_ops.py [reps] [threads]
"""
import json, sys, time
import torch

torch.set_default_dtype(torch.float64)


CPU = {}


def timed(fn, warm, reps, name=None):
    """Median wall ms of one call; the mean process CPU ms of one call goes to CPU[name]."""
    for _ in range(warm):
        fn()
    ts = []
    c0 = time.process_time()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(1000 * (time.perf_counter() - t0))
    if name is not None:
        CPU[name + "_cpu_ms"] = 1000 * (time.process_time() - c0) / reps
    ts.sort()
    n = len(ts)
    return ts[n // 2] if n % 2 else (ts[n // 2 - 1] + ts[n // 2]) / 2


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    torch.manual_seed(0)
    x = torch.rand(100_000, requires_grad=True)

    def chain():
        x.grad = None
        y = (torch.tanh(x) * torch.sin(x) + torch.exp(-x * x) * 0.5 - x).sum()
        y.backward()

    layers = []
    sizes = [2, 32, 32, 32, 1]
    for i in range(4):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < 3:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)
    X = torch.rand(1024, 2)

    def mlp():
        net.zero_grad(set_to_none=True)
        (net(X) ** 2).mean().backward()

    Xg = torch.rand(1024, 2, requires_grad=True)

    def lap():
        net.zero_grad(set_to_none=True)
        u = net(Xg)
        g = torch.autograd.grad(u, Xg, torch.ones_like(u), create_graph=True)[0]
        uxx = torch.autograd.grad(g[:, 0:1], Xg, torch.ones_like(u), create_graph=True)[0][:, 0:1]
        uyy = torch.autograd.grad(g[:, 1:2], Xg, torch.ones_like(u), create_graph=True)[0][:, 1:2]
        ((uxx + uyy) ** 2).mean().backward()

    def f(z):
        return (torch.sin(z[:9]) * z[1:] ** 2).sum() + 0.1 * z.sum() ** 2

    z = torch.tensor([0.1 * (i + 1) for i in range(10)])

    def hess():
        torch.autograd.functional.hessian(f, z, vectorize=False)

    # Warm-up and timed calls as in ops-child.ts.
    result = {"impl": "pytorch-" + torch.__version__, "chain_ms": timed(chain, 200, reps, "chain"), "mlp_ms": timed(mlp, 600, reps, "mlp"),
              "laplacian_ms": timed(lap, 100, reps, "laplacian"), "hessian_ms": timed(hess, 1000, reps * 10, "hessian")}
    result.update(CPU)
    print(json.dumps(result))


main()
