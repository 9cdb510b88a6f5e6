"""Whole PyTorch scripts ported to gradscope by changing the import.

gradscope's promise: a script written for torch's eager autograd, restricted to the ops
gradscope has, runs under gradscope after
``import gradscope as torch`` (and ``import gradscope.nn.functional as F``) and gives the
same values, gradients, grad_fn names and errors. Each script below is written the way
tutorials, lecture notebooks and Stack Overflow answers write it; it is run once under
torch and once under gradscope, and everything it prints is compared:

* printed lines, with ``gradscope.`` read as ``torch.``, object addresses masked, and the
  numbers in them compared to float32 precision (the rest of each line exactly);
* an error a script catches and prints as ``ERR <type>: <message>``: gradscope may add hint
  lines after torch's text (they are skipped);
* an error that escapes the script: same type, and torch's message (a hint may follow);
* warnings: same categories and messages (a hint may follow).

Data is made with numpy and passed through ``torch.tensor`` / ``torch.from_numpy``, so the
two libraries see the same numbers (their random generators differ by design).
A script gradscope gets wrong today is a strict xfail naming the defect.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import textwrap
import warnings

import pytest

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

import gradscope as gs  # noqa: E402

# --------------------------------------------------------------------------- the harness

_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


def _port(src: str) -> str:
    src = re.sub(
        r"^import torch\.nn\.functional as F$",
        "import gradscope.nn.functional as F",
        src,
        flags=re.M,
    )
    return re.sub(r"^import torch$", "import gradscope as torch", src, flags=re.M)


def run_script(src: str, lib: str):
    """(stdout lines, escaped exception or None, warnings) of the script under ``lib``."""
    src = textwrap.dedent(src)
    if lib == "gradscope":
        src = _port(src)
    out = io.StringIO()
    exc = None
    torch.set_grad_enabled(True)
    gs.set_grad_enabled(True)
    with warnings.catch_warnings(record=True) as rec, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            exec(compile(src, f"<script:{lib}>", "exec"), {"__name__": "__main__"})
        except Exception as e:  # noqa: BLE001 - compared below
            exc = e
        finally:
            torch.set_grad_enabled(True)
            gs.set_grad_enabled(True)
    warns = [f"{w.category.__name__}: {w.message}" for w in rec]
    return out.getvalue().splitlines(), exc, warns


def _norm(line: str) -> str:
    line = re.sub(r"\bgradscope\.", "torch.", line)
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", line)


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if x != x and y != y:
        return True
    dec = len(a.split(".")[1].split("e")[0].split("E")[0]) if "." in a else 0
    step = 10.0**-dec if "e" not in a.lower() else abs(x) * 10.0**-dec
    return abs(x - y) <= 1e-4 * max(1.0, abs(x)) + 1.01 * step


def _same_line(t: str, g: str) -> bool:
    if _NUM.sub("#", t) != _NUM.sub("#", g):
        return False
    return all(_close(a, b) for a, b in zip(_NUM.findall(t), _NUM.findall(g)))


def compare_output(tl: list[str], gl: list[str]) -> list[str]:
    """Problems with gradscope's lines ``gl`` against torch's ``tl`` (empty: the same)."""
    tl = [_norm(x) for x in tl]
    gl = [_norm(x) for x in gl]
    sm = difflib.SequenceMatcher(
        None, [_NUM.sub("#", x) for x in tl], [_NUM.sub("#", x) for x in gl], autojunk=False
    )
    problems = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for a, b in zip(tl[i1:i2], gl[j1:j2]):
                if not _same_line(a, b):
                    problems.append(f"torch: {a}\n  gradscope: {b}")
            continue
        if op == "insert" and any(x.startswith("ERR ") for x in gl[max(0, j1 - 3) : j1]):
            continue  # a hint line after an error's text
        problems.append(f"{op}: torch {tl[i1:i2]!r}\n  gradscope {gl[j1:j2]!r}")
    return problems


def _same_exc(te, ge) -> str | None:
    if te is None and ge is None:
        return None
    if te is None:
        return f"gradscope raises {type(ge).__name__}: {ge}; torch runs to the end"
    if ge is None:
        return f"torch raises {type(te).__name__}: {te}; gradscope runs to the end"
    tm, gm = str(te), _norm(str(ge))
    if type(te).__name__ != type(ge).__name__ or not (gm == tm or gm.startswith(tm + "\n")):
        return f"torch {type(te).__name__}: {tm}\n  gradscope {type(ge).__name__}: {gm}"
    return None


def _same_warns(tw, gw) -> str | None:
    gw = [_norm(w) for w in gw]
    tw = [re.sub(r" \(Triggered internally at [^)]*\)", "", w) for w in tw]
    if len(tw) != len(gw) or not all(g == t or g.startswith(t + "\n") for t, g in zip(tw, gw)):
        return f"torch warns {tw}\n  gradscope warns {gw}"
    return None


def check_script(src: str) -> None:
    tl, te, tw = run_script(src, "torch")
    gl, ge, gw = run_script(src, "gradscope")
    problems = compare_output(tl, gl)
    for p in (_same_exc(te, ge), _same_warns(tw, gw)):
        if p:
            problems.append(p)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------- the scripts

SCRIPTS: dict[str, str | tuple[str, str]] = {}

SCRIPTS["linreg_manual_sgd"] = """
import numpy as np
import torch

# y = 3x - 2 plus noise, fitted by hand-written gradient descent
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(50, 1)).astype(np.float32)
Y = 3 * X - 2 + 0.1 * rng.standard_normal((50, 1)).astype(np.float32)
x = torch.from_numpy(X)
y = torch.from_numpy(Y)

w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.5
for epoch in range(30):
    y_pred = x @ w + b
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 10 == 0:
        print(f"epoch {epoch}: loss={loss.item():.4f}")
print("w:", w)
print("b:", b)
print(w.grad, b.grad, w.is_leaf, w.requires_grad)
print(loss)
print("final", loss.detach().numpy(), type(loss.item()).__name__)
"""

SCRIPTS["logreg_bce_by_hand"] = """
import numpy as np
import torch

rng = np.random.default_rng(1)
X = rng.standard_normal((40, 2))
labels = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)
x = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(labels)

w = torch.zeros(2, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)

def predict(x):
    return torch.sigmoid(x @ w + b)

for step in range(100):
    p = predict(x)
    eps = 1e-7
    loss = -(y * torch.log(p + eps) + (1 - y) * torch.log(1 - p + eps)).mean()
    loss.backward()
    with torch.no_grad():
        w.sub_(1.0 * w.grad)
        b.sub_(1.0 * b.grad)
    w.grad = None
    b.grad = None
    if step % 25 == 0:
        acc = ((p > 0.5).float() == y).float().mean()
        print(f"step {step:3d}  loss {loss.item():.4f}  acc {acc.item():.3f}")
print(p.grad_fn.name(), loss.grad_fn)
print(w.detach(), b.item() != 0, w.grad is None)
pred = (predict(x) > 0.5).long()
print(pred[:8], pred.dtype, (pred == y.long()).sum().item(), "/", len(y))
"""

SCRIPTS["mlp_xor_cross_entropy"] = """
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(2)
x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([0, 1, 1, 0])
W1 = torch.tensor(rng.standard_normal((2, 8)) * 0.5, dtype=torch.float32, requires_grad=True)
b1 = torch.zeros(8, requires_grad=True)
W2 = torch.tensor(rng.standard_normal((8, 2)) * 0.5, dtype=torch.float32, requires_grad=True)
b2 = torch.zeros(2, requires_grad=True)
params = [W1, b1, W2, b2]

def forward(x):
    h = F.relu(x @ W1 + b1)
    return h @ W2 + b2

for it in range(200):
    logits = forward(x)
    loss = F.cross_entropy(logits, y)
    for p in params:
        if p.grad is not None:
            p.grad.zero_()
    loss.backward()
    for p in params:
        p.data.sub_(0.5 * p.grad)
    if it % 50 == 0:
        print(it, round(loss.item(), 4))
print(logits.grad_fn, logits.grad_fn.next_functions[0][0].name())
print(loss.grad_fn.name())
pred = logits.max(dim=1).indices
print("pred", pred, "acc", (pred == y).float().mean().item())
print([p.grad.shape for p in params])
print(W2.grad.abs().sum() > 0)
"""

SCRIPTS["early_stopping_fstrings"] = """
import torch

x = torch.tensor([1.0, 2.0, 3.0, 4.0])
y = torch.tensor([2.0, 4.0, 6.0, 8.0])
w = torch.tensor(0.0, requires_grad=True)
tol = 1e-3
history = []
for epoch in range(1000):
    loss = ((w * x - y) ** 2).mean()
    history.append(loss.item())
    if loss.item() < tol:
        print(f"converged at epoch {epoch}, loss {loss:.6f}")
        break
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
print(f"w = {w.item():.4f}", f"{w:.3f}", f"{loss.item():.2e}")
print(len(history), history[0], round(history[-1], 6))
print(int(w.detach() + 0.5), w > 1.9, round(w.item(), 2))
print(str(w), repr(loss))
"""

SCRIPTS["grad_accumulation"] = """
import numpy as np
import torch

rng = np.random.default_rng(3)
X = torch.tensor(rng.standard_normal((12, 3)), dtype=torch.float32)
Y = torch.tensor(rng.standard_normal((12, 1)), dtype=torch.float32)
W = torch.tensor(rng.standard_normal((3, 1)), dtype=torch.float32, requires_grad=True)

# full batch
loss = ((X @ W - Y) ** 2).mean()
loss.backward()
full = W.grad.clone()
W.grad = None

# the same in 3 micro-batches of 4
accum_steps = 3
for xb, yb in zip([X[0:4], X[4:8], X[8:12]], [Y[0:4], Y[4:8], Y[8:12]]):
    micro = ((xb @ W - yb) ** 2).mean() / accum_steps
    micro.backward()
print(full.T)
print(W.grad.T)
print("same:", (full - W.grad).abs().max().item() < 1e-6)
print(W.grad.requires_grad, W.grad.grad_fn, full.is_leaf)
# ---- grad accumulation slices
rng = np.random.default_rng(3)
X = torch.tensor(rng.standard_normal((12, 3)), dtype=torch.float32)
Y = torch.tensor(rng.standard_normal((12, 1)), dtype=torch.float32)
W = torch.tensor(rng.standard_normal((3, 1)), dtype=torch.float32, requires_grad=True)
loss = ((X @ W - Y) ** 2).mean()
loss.backward()
full = W.grad.clone()
W.grad.zero_()
bs = 4
for i in range(0, len(X), bs):
    xb, yb = X[i:i + bs], Y[i:i + bs]
    micro = ((xb @ W - yb) ** 2).mean() / (len(X) // bs)
    micro.backward()
    print(i, W.grad.view(-1))
print("same:", (full - W.grad).abs().max().item() < 1e-6)
"""

SCRIPTS["retain_graph_second_backward"] = """
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
y.backward(retain_graph=True)
print(x.grad)
y.backward()                   # grads accumulate
print(x.grad)
try:
    y.backward()
except RuntimeError as e:
    print("ERR", type(e).__name__ + ":", e)
x.grad.zero_()
z = x.exp().sum() + (x * x).sum()
z.backward(retain_graph=True)
g1 = x.grad.clone()
z.backward()
print(g1, x.grad, (x.grad / g1))
# ---- nonscalar backward with gradient
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
try:
    y.backward()
except RuntimeError as err:
    print("ERR", err)
y.backward(torch.ones_like(y))
print(x.grad)
x.grad.zero_()
y2 = torch.stack([x.sum(), (x * x).sum()])
y2.backward(gradient=torch.tensor([1.0, 0.5]))
print(x.grad)
x.grad = None
torch.autograd.backward([x.sum(), (x ** 3).sum()], [torch.tensor(1.0), torch.tensor(2.0)])
print(x.grad)
"""

SCRIPTS["forgot_retain_graph_uncaught"] = """
import torch

a = torch.tensor([0.5, -1.0], requires_grad=True)
h = torch.tanh(a) * a
loss1 = h.sum()
loss2 = (h ** 2).sum()
loss1.backward()
print(a.grad)
loss2.backward()     # h's graph was freed by the first backward
"""

SCRIPTS["gradient_penalty_wgan"] = """
import numpy as np
import torch

rng = np.random.default_rng(4)
W = torch.tensor(rng.standard_normal((3, 1)), dtype=torch.float32, requires_grad=True)
real = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32)
fake = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32)
alpha = torch.tensor(rng.uniform(size=(5, 1)), dtype=torch.float32)

def critic(x):
    return torch.tanh(x @ W).sum(dim=1)

interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
out = critic(interp)
grads = torch.autograd.grad(outputs=out, inputs=interp,
                            grad_outputs=torch.ones_like(out),
                            create_graph=True, retain_graph=True)[0]
print(grads.shape, grads.requires_grad, grads.grad_fn is not None)
grad_norm = (grads ** 2).sum(dim=1).sqrt()
penalty = ((grad_norm - 1) ** 2).mean()
loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
loss.backward()
print(f"penalty {penalty.item():.5f}")
print(W.grad.view(-1))
print(interp.grad is not None, interp.is_leaf)
"""

SCRIPTS["hessian_vector_product"] = """
import torch

def f(x):
    return (x ** 3).sum() + (x[0] * x[1]) + torch.sin(x).sum()

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
v = torch.tensor([1.0, 0.0, 1.0])
g, = torch.autograd.grad(f(x), x, create_graph=True)
print("grad", g)
print(g.grad_fn)
hvp, = torch.autograd.grad(g, x, grad_outputs=v)
print("Hv", hvp)
# the same with a dot product and backward
x.grad = None
g2 = torch.autograd.grad(f(x), x, create_graph=True)[0]
(g2 * v).sum().backward(retain_graph=True)
print("Hv", x.grad)
# full Hessian row by row
H = torch.stack([torch.autograd.grad(g2[i], x, retain_graph=True)[0] for i in range(3)])
print(H)
# ---- autograd grad multiple inputs
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
c = torch.tensor(4.0, requires_grad=True)
f = a * b + b ** 2
ga, gb = torch.autograd.grad(f, [a, b], retain_graph=True)
print(ga, gb)
print(a.grad, b.grad)
try:
    torch.autograd.grad(f, [a, c], retain_graph=True)
except RuntimeError as e:
    print("ERR", e)
ga, gc = torch.autograd.grad(f, [a, c], allow_unused=True)
print(ga, gc)
out = torch.autograd.grad([f, a * c], [a])
print(out, type(out).__name__)
"""

SCRIPTS["target_network_detach"] = """
import numpy as np
import torch

rng = np.random.default_rng(5)
w_online = torch.tensor(rng.standard_normal(4), dtype=torch.float32, requires_grad=True)
w_target = w_online.detach().clone()
s = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32)
s_next = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32)
r = torch.tensor([1.0, 0.0, 0.5, -1.0, 0.0, 2.0])
gamma = 0.9
q = s @ w_online
q_next = (s_next @ w_online).detach()          # stop-gradient through the bootstrap
target = r + gamma * q_next
td = q - target
loss = (td ** 2).mean()
loss.backward()
print(q_next.requires_grad, q_next.grad_fn, target.requires_grad)
print(w_online.grad)
print(w_target.requires_grad, w_target.grad)
with torch.no_grad():
    w_target.mul_(0.99).add_(0.01 * w_online)
print(w_target)
# detach in the middle of a graph: only the first branch gets gradient
w_online.grad = None
h = s @ w_online
out = (h * h.detach()).sum()
out.backward()
print(w_online.grad)
"""

SCRIPTS["eval_no_grad_decorator"] = """
import torch

w = torch.tensor([[0.5, -0.2], [0.1, 0.3]], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])

@torch.no_grad()
def evaluate(x):
    out = torch.relu(x @ w)
    return out, torch.is_grad_enabled()

def evaluate2(x):
    torch.set_grad_enabled(False)
    out = x @ w
    torch.set_grad_enabled(True)
    return out

out, enabled = evaluate(x)
print(out, out.requires_grad, out.grad_fn, enabled, torch.is_grad_enabled())
out2 = evaluate2(x)
print(out2.requires_grad, torch.is_grad_enabled())
for is_train in (True, False):
    with torch.set_grad_enabled(is_train):
        y = (x @ w).sum()
    print(is_train, y.requires_grad, y.grad_fn)
with torch.no_grad():
    z = w * 2
    with torch.enable_grad():
        z2 = w * 2
print(z.requires_grad, z2.requires_grad, z2.grad_fn)
print(evaluate.__name__)
"""

SCRIPTS["scalar_conversions_warn"] = """
import torch

w = torch.tensor(2.0, requires_grad=True)
print(float(w.detach()))   # (float(w) warns once a process: tests/test_parity_edges.py)
print(int(w.detach()), w.item(), bool(w > 1))
"""

SCRIPTS["softmax_ce_by_hand_vs_F"] = """
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(6)
logits = torch.tensor(rng.standard_normal((5, 4)) * 3, dtype=torch.float32, requires_grad=True)
y = torch.tensor([0, 3, 1, 1, 2])

# numerically stable log-softmax by hand
m = logits.max(dim=1, keepdim=True).values
lse = m + (logits - m).exp().sum(dim=1, keepdim=True).log()
logp = logits - lse
nll = -logp[torch.arange(len(y)), y]
loss_hand = nll.mean()
loss_F = F.cross_entropy(logits, y)
print(f"{loss_hand.item():.5f} {loss_F.item():.5f}")
print(loss_hand.grad_fn, loss_F.grad_fn)
g_hand, = torch.autograd.grad(loss_hand, logits)
g_F, = torch.autograd.grad(loss_F, logits)
print((g_hand - g_F).abs().max().item() < 1e-6)
print(g_F)
print(F.cross_entropy(logits, y, reduction="sum"))
print(F.cross_entropy(logits, y, reduction="none"))
print(F.log_softmax(logits, dim=1).exp().sum(dim=1))
print(torch.softmax(logits, dim=-1)[0], logits.softmax(1).grad_fn, logits.log_softmax(dim=1).grad_fn)
# ---- entropy kl by hand
logits_p = torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]], requires_grad=True)
logits_q = torch.tensor([[0.5, 0.5, 2.0], [1.0, -1.0, 0.0]])
p = F.softmax(logits_p, dim=-1)
logp = F.log_softmax(logits_p, dim=-1)
logq = torch.log_softmax(logits_q, -1)
entropy = -(p * logp).sum(dim=-1).mean()
kl = (p * (logp - logq)).sum(-1).mean()
print(f"H={entropy.item():.5f} KL={kl.item():.5f}")
(entropy + kl).backward()
print(logits_p.grad)
print(entropy.grad_fn, kl.grad_fn, logp.grad_fn, p.grad_fn)
"""

SCRIPTS["cross_entropy_ignore_index_smoothing"] = """
import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -2.0, 0.0], [0.0, 0.0, 3.0]],
                      requires_grad=True)
target = torch.tensor([0, -100, 2, 1])      # -100 marks padding
loss = F.cross_entropy(logits, target)
loss.backward()
print(loss, logits.grad[1])
logits.grad = None
pad = 2
loss = F.cross_entropy(logits, torch.tensor([0, 1, 2, 2]), ignore_index=pad)
loss.backward()
print(loss, logits.grad)
print(F.cross_entropy(logits, torch.tensor([0, 1, 2, 2]), label_smoothing=0.1))
print(F.cross_entropy(logits, torch.tensor([0, 1, 2, 2]), reduction="sum", label_smoothing=0.2))
# ---- nll loss class weights
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -2.0, 0.0]], requires_grad=True)
target = torch.tensor([0, 1, 2])
weights = torch.tensor([1.0, 2.0, 0.5])
logp = F.log_softmax(logits, dim=1)
print(F.nll_loss(logp, target))
print(F.nll_loss(logp, target, weight=weights))
print(F.cross_entropy(logits, target, weight=weights))
loss = F.nll_loss(logp, target, reduction="sum")
loss.backward()
print(loss.grad_fn, logits.grad)
"""

SCRIPTS["mse_loss_and_broadcast_warning"] = """
import numpy as np
import torch
import torch.nn.functional as F

pred = torch.tensor([[0.5], [1.5], [2.0], [3.5]], requires_grad=True)
target = torch.tensor([1.0, 1.0, 2.0, 3.0])
loss = F.mse_loss(pred.squeeze(-1), target)
hand = ((pred.squeeze(1) - target) ** 2).mean()
print(loss, hand, loss.grad_fn)
print(F.mse_loss(pred.view(-1), target, reduction="sum"))
print(F.mse_loss(pred.view(-1), target, reduction="none"))
# the classic bug: (N, 1) against (N,) broadcasts to (N, N) and warns
bad = F.mse_loss(pred, target)
print(bad)
bad.backward()
print(pred.grad.T)
"""

SCRIPTS["accuracy_argmax_idioms"] = """
import torch

logits = torch.tensor([[0.1, 2.0, -1.0], [1.5, 0.2, 0.3], [0.0, 0.1, 3.0], [2.0, 2.5, 0.0]])
labels = torch.tensor([1, 0, 1, 1])
_, predicted = torch.max(logits, 1)
print(predicted, predicted.dtype)
pred2 = logits.max(dim=1).indices
vals = logits.max(dim=1)[0]
print((predicted == pred2).all(), vals)
correct = 0
total = 0
correct += (predicted == labels).sum().item()
total += labels.size(0)
print(f"Accuracy: {100 * correct / total:.1f}%", correct, type(correct).__name__)
acc = (predicted == labels).float().mean()
print(acc, acc.dtype, (predicted == labels))
print(logits.max(), logits.min(dim=0), torch.max(logits, dim=1, keepdim=True).indices.shape)
out = logits.max(1)
print(type(out).__name__, out.values.shape)
"""

SCRIPTS["shape_idioms_with_grads"] = """
import numpy as np
import torch

x = torch.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10, requires_grad=True)
a = x.view(-1, 4)
b = x.reshape(x.size(0), -1)
c = x.unsqueeze(0).squeeze(0)
d = x[:, None].squeeze(1)
e = x[..., 0]
mask = x > 1.0
f = x[mask]
g = torch.cat([a, a * 2], dim=1)
h = torch.stack([e, e + 1])
t1, t2 = e.T, e.t()
p = x.permute(2, 0, 1)
ex = e.sum(dim=1, keepdim=True).expand_as(e)
print(a.shape, b.shape, c.shape, d.shape, e.shape, f.shape, g.shape, h.shape)
print(t1.shape, t2.shape, p.shape, ex.shape, x.shape[0], len(x), x.numel(), x.size(1), x.dim(), x.ndim)
print(a.grad_fn, b.grad_fn, c.grad_fn, d.grad_fn, e.grad_fn)
print(f.grad_fn, g.grad_fn, h.grad_fn, t1.grad_fn, t2.grad_fn, p.grad_fn, ex.grad_fn)
rows = [row.sum() for row in e]
print(len(rows), rows[0])
loss = a.sum() + b.mean() + f.sum() + g.pow(2).sum() * 0.01 + h.sum() + (t1 * 2).sum() + p[0].sum() + ex.sum()
loss.backward()
print(x.grad)
print(x.flatten().shape, x.flatten(1).shape, x.transpose(0, 2).shape, x.expand(2, 2, 3, 4).shape)
"""

SCRIPTS["hooks_debugging"] = """
import torch

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
w = torch.tensor([0.5, 0.5, 0.5], requires_grad=True)
h = x * w
h.retain_grad()
h.register_hook(lambda g: print("grad norm of h:", (g ** 2).sum().sqrt().item()))
handle = w.register_hook(lambda g: g.clamp(-1.0, 1.0))     # clip w's gradient
z = torch.relu(h) * 10
z.register_hook(lambda grad: grad * 2)                    # modify the gradient
loss = (z ** 2).sum()
loss.backward()
print("h.grad", h.grad)
print("x.grad", x.grad)
print("w.grad", w.grad)
print(h.retains_grad, z.retains_grad, x.retains_grad)
handle.remove()
w.grad = None
(x * w).sum().backward()
print("w.grad without hook", w.grad)
# ---- hook prints and nonleaf grad warning
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
z = y.sum()
z.backward()
print(y.grad)             # a non-leaf's .grad: None, torch warns
print(y.is_leaf, x.grad)
"""

SCRIPTS["errors_users_hit"] = """
import numpy as np
import torch
import torch.nn.functional as F

def attempt(label, fn):
    try:
        fn()
        print(label, "ok")
    except Exception as e:
        print("ERR", label, type(e).__name__ + ":", e)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
attempt("numpy on requires_grad", lambda: x.numpy())
attempt("numpy of a result", lambda: (x * 2).numpy())
attempt("item of 3 elements", lambda: x.item())
attempt("float of 3 elements", lambda: float(x.detach()))
attempt("backward non-scalar", lambda: (x * 2).backward())
attempt("backward no grad", lambda: torch.tensor([1.0, 2.0]).sum().backward())
attempt("backward under no_grad result", lambda: (x.detach() * 2).sum().backward())
A = torch.ones(4, 3)
B = torch.ones(4, 2)
attempt("mm shapes", lambda: A @ B)
attempt("linear shapes", lambda: F.linear(torch.ones(8, 5), torch.ones(3, 4), torch.zeros(3)))
attempt("mv shapes", lambda: A @ torch.ones(4))
attempt("bmm shapes", lambda: torch.ones(2, 3, 4) @ torch.ones(2, 5, 6))
attempt("add shapes", lambda: torch.ones(3) + torch.ones(4))
attempt("view bad", lambda: torch.ones(2, 3).view(4, -1))
attempt("cat shapes", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)], dim=0))
attempt("stack shapes", lambda: torch.stack([torch.ones(2), torch.ones(3)]))
attempt("index out of range", lambda: torch.ones(3)[5])
attempt("dim out of range", lambda: torch.ones(2, 3).sum(dim=2))
attempt("leaf inplace", lambda: x.add_(1))
attempt("requires_grad on int", lambda: torch.tensor([1, 2], requires_grad=True))
attempt("requires_grad_ on non-leaf off", lambda: (x * 2).requires_grad_(False))
attempt("grad of int", lambda: torch.autograd.grad((x * 2).sum(), torch.tensor([1.0])))
attempt("len of 0-d", lambda: len(torch.tensor(1.0)))
attempt("iterate 0-d", lambda: list(torch.tensor(1.0)))
attempt("bool of many", lambda: bool(torch.tensor([1.0, 2.0]) > 0))
"""

SCRIPTS["inplace_on_saved_tensor"] = """
import torch

def attempt(label, fn):
    try:
        fn()
        print(label, "ok")
    except Exception as e:
        print("ERR", label, type(e).__name__ + ":", e)

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)

def sigmoid_then_relu_input():
    h = x * 2
    s = torch.sigmoid(h)      # saves its result, not h
    h.relu_()
    (s + h).sum().backward()

def sigmoid_then_relu_output():
    s = torch.sigmoid(x * 2)
    out = s * 3
    s.relu_()
    out.sum().backward()

def mul_then_add_():
    h = x * 2
    y = h * h
    h.add_(1)
    y.sum().backward()

def exp_then_mul_():
    y = x.exp()
    y.mul_(2)
    y.sum().backward()

def tanh_then_zero_():
    y = x.tanh()
    z = y.pow(2)
    y.zero_()
    z.sum().backward()

for fn in (sigmoid_then_relu_input, sigmoid_then_relu_output, mul_then_add_, exp_then_mul_,
           tanh_then_zero_):
    x.grad = None
    attempt(fn.__name__, fn)
    print(x.grad)
"""

SCRIPTS["inplace_error_uncaught"] = """
import torch

w = torch.tensor([[0.5, -0.5], [1.0, 2.0]], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
h = x @ w
a = torch.relu(h)
loss = (a * a).sum()
a += 1                # modifies a tensor the multiplication saved
loss.backward()
"""

SCRIPTS["dtype_mixing"] = """
import numpy as np
import torch

def attempt(label, fn):
    try:
        r = fn()
        print(label, r, r.dtype if hasattr(r, "dtype") else "")
    except Exception as e:
        print("ERR", label, type(e).__name__ + ":", e)

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 1.5, 2.5])
d = torch.from_numpy(np.array([1.0, 2.0, 3.0]))
print(i.dtype, f.dtype, d.dtype, torch.tensor(3.0).dtype, torch.tensor(3).dtype, torch.tensor(True).dtype)
attempt("int*float", lambda: i * f)
attempt("int/int", lambda: i / 2)
attempt("int+pyfloat", lambda: i + 0.5)
attempt("float+double", lambda: f + d)
attempt("float*0-d double", lambda: f * torch.tensor(2.0, dtype=torch.float64))
attempt("int**2", lambda: i ** 2)
attempt("int**0.5", lambda: i ** 0.5)
attempt("2**int", lambda: 2 ** i)
attempt("mean of int", lambda: i.mean())
attempt("sum of int", lambda: i.sum())
attempt("sum of bool", lambda: (f > 1).sum())
attempt("exp of int", lambda: i.exp())
attempt("sqrt of int", lambda: torch.sqrt(i))
attempt("float()", lambda: i.float())
attempt("double()", lambda: f.double())
attempt("long()", lambda: f.long())
attempt("to(float64)", lambda: i.to(torch.float64))
attempt("double @ float", lambda: d.view(1, 3) @ f.view(3, 1))
W = torch.ones(3, 2, requires_grad=True)
attempt("double data, float weights", lambda: d.view(1, 3) @ W)
attempt("fixed with .float()", lambda: d.view(1, 3).float() @ W)
attempt("where mixed", lambda: torch.where(f > 1, f, i))
attempt("cat mixed", lambda: torch.cat([f, i]))
attempt("int tensor from list of floats", lambda: torch.tensor([1, 2.5]))
attempt("tensor of np.float32 scalar", lambda: torch.tensor(np.float32(2.5)))
attempt("tensor of np int array", lambda: torch.tensor(np.array([1, 2], dtype=np.int32)))
attempt("from_numpy int32", lambda: torch.from_numpy(np.array([1, 2], dtype=np.int32)))
"""

SCRIPTS["printing_tensors"] = """
import numpy as np
import torch

x = torch.tensor([[1.0, -2.5, 3.25], [0.001, 100.0, 7.0]], requires_grad=True)
y = (x * 2).sum(dim=1)
loss = y.mean()
print(x)
print(y)
print(loss)
print(y.grad_fn)
print(y.grad_fn.next_functions)
print(loss.grad_fn.next_functions[0][0].next_functions)
loss.backward()
print(x.grad)
print(repr(x.detach()))
print(torch.arange(1500.0).view(3, 500))
print(torch.tensor(np.linspace(0, 1, 2000), dtype=torch.float32))
print(torch.tensor([1e-8, 1.0, 1e8]))
print(torch.tensor([1, 2, 3]), torch.tensor([True, False]))
print(torch.tensor([0.1, 0.2], dtype=torch.float64))
print(torch.zeros(2, 0), torch.tensor([]), torch.tensor(2.5), torch.tensor(7))
print(torch.ones(2, 2, 2))
print(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]))
print(x.shape, x.size(), x.dtype, x.device, x.requires_grad, x.is_leaf)
print(str(x.grad), f"{loss.item():.4f}", f"{loss:.4f}")
print(x.tolist(), y.detach().numpy(), torch.tensor(1.5).item())
print(torch.tensor([[123456.0, 0.5]]), torch.tensor([0.00012345, 0.5]))
# ---- creation and seed
torch.manual_seed(0)
a = torch.randn(3, 4)
b = torch.rand(2, 2)
c = torch.randint(0, 10, (5,))
d = torch.randn_like(a)
print(a.shape, a.dtype, b.dtype, c.dtype, d.shape, (b >= 0).all().item(), (c < 10).all().item())
torch.manual_seed(0)
print((torch.randn(3, 4) == a).all().item())
print(torch.zeros(2, 3), torch.ones((2,)), torch.full((2, 2), 7.0), torch.full((2,), 3))
print(torch.arange(5), torch.arange(0, 1, 0.25), torch.arange(2.0, 5.0))
print(torch.zeros_like(a).shape, torch.ones_like(c), torch.empty(2, 3).shape)
print(torch.zeros(3, dtype=torch.int64), torch.ones(2, dtype=torch.bool), torch.zeros(2, dtype=torch.float64))
w = torch.randn(3, 1, requires_grad=True)
print(w.requires_grad, w.is_leaf, w.grad_fn, w.grad)
z = torch.zeros(4, requires_grad=True)
print(z)
print(torch.tensor([[1, 2], [3, 4]]).float().mean(), torch.tensor(5.0).shape, torch.tensor([5.0]).shape)
"""

SCRIPTS["printing_grad_fn_tree"] = """
import torch
import torch.nn.functional as F

x = torch.tensor([[1.0, 2.0]], requires_grad=True)
W = torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], requires_grad=True)
b = torch.tensor([0.0, 0.1, 0.2], requires_grad=True)
out = F.linear(x, W, b)
h = torch.tanh(out).pow(2) / 3 - out.exp() + out.clamp(min=0) * out.sigmoid()
loss = F.cross_entropy(h, torch.tensor([1]))

def walk(fn, depth=0):
    if fn is None:
        return
    print("  " * depth + fn.name())
    for nxt, idx in fn.next_functions:
        walk(nxt, depth + 1)

walk(loss.grad_fn)
print(out.grad_fn.next_functions[0][0].variable is b)
"""

SCRIPTS["rnn_unrolled_grad_clipping"] = """
import numpy as np
import torch

rng = np.random.default_rng(7)
T, N, D, H = 5, 2, 3, 4
xs = torch.tensor(rng.standard_normal((T, N, D)), dtype=torch.float32)
Wx = torch.tensor(rng.standard_normal((D, H)) * 0.5, dtype=torch.float32, requires_grad=True)
Wh = torch.tensor(rng.standard_normal((H, H)) * 0.5, dtype=torch.float32, requires_grad=True)
b = torch.zeros(H, requires_grad=True)
h = torch.zeros(N, H)
states = []
for t in range(T):
    h = torch.tanh(xs[t] @ Wx + h @ Wh + b)
    states.append(h)
hs = torch.stack(states, dim=1)          # (N, T, H)
loss = hs.pow(2).mean() + h.sum()
loss.backward()
params = [Wx, Wh, b]
total_norm = torch.sqrt(sum((p.grad ** 2).sum() for p in params))
print("norm", total_norm)
max_norm = 1.0
clip_coef = max_norm / (total_norm + 1e-6)
if clip_coef < 1:
    for p in params:
        p.grad.mul_(clip_coef)
print(Wh.grad)
print(hs.shape, hs.grad_fn, h.grad_fn)
"""

SCRIPTS["attention_by_hand"] = """
import math
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(8)
B, T, D = 2, 3, 4
x = torch.tensor(rng.standard_normal((B, T, D)), dtype=torch.float32, requires_grad=True)
Wq = torch.tensor(rng.standard_normal((D, D)) * 0.3, dtype=torch.float32, requires_grad=True)
Wk = torch.tensor(rng.standard_normal((D, D)) * 0.3, dtype=torch.float32, requires_grad=True)
q, k, v = x @ Wq, x @ Wk, x
scores = q @ k.transpose(-2, -1) / math.sqrt(D)
causal = torch.ones(T, T) > 0
causal = torch.tensor(np.tril(np.ones((T, T))) > 0)
scores = torch.where(causal, scores, torch.full_like(scores, float("-inf")) if hasattr(torch, "full_like") else torch.full((B, T, T), float("-inf")))
attn = F.softmax(scores, dim=-1)
out = attn @ v
print(attn[0])
print(out.grad_fn, scores.grad_fn, attn.grad_fn)
out.sum().backward()
print(Wq.grad)
print(x.grad[1])
"""

SCRIPTS["batchnorm_by_hand"] = """
import numpy as np
import torch

rng = np.random.default_rng(9)
x = torch.tensor(rng.standard_normal((6, 3)) * 2 + 1, dtype=torch.float32, requires_grad=True)
gamma = torch.ones(3, requires_grad=True)
beta = torch.zeros(3, requires_grad=True)
eps = 1e-5
mu = x.mean(dim=0, keepdim=True)
var = ((x - mu) ** 2).mean(dim=0, keepdim=True)
xhat = (x - mu) / torch.sqrt(var + eps)
out = gamma * xhat + beta
print(xhat.mean(dim=0).abs().max().item() < 1e-5, (xhat ** 2).mean(0))
coef = torch.tensor(np.arange(18, dtype=np.float32).reshape(6, 3) / 10)
loss = (out * coef).sum() + out[:, 0].pow(3).sum()
loss.backward()
print(x.grad)
print(gamma.grad, beta.grad)
print(mu.grad_fn, var.grad_fn, xhat.grad_fn, out.grad_fn)
"""

SCRIPTS["huber_where_clamp"] = """
import torch

pred = torch.tensor([0.0, 0.5, 2.0, -3.0, 1.0], requires_grad=True)
target = torch.tensor([0.0, 0.0, 0.0, 0.0, 1.0])
delta = 1.0
diff = pred - target
absd = diff.abs()
huber = torch.where(absd < delta, 0.5 * diff ** 2, delta * (absd - 0.5 * delta))
huber.mean().backward()
print(huber, pred.grad)
pred.grad = None
r = pred.clamp(min=0)
r2 = torch.clamp(pred, -1.0, 1.0)
r3 = pred.clamp(max=0.5)
(r.sum() + r2.sum() + r3.sum() + torch.relu(pred).sum()).backward()
print(r.grad_fn, r2.grad_fn, r3.grad_fn)
print(pred.grad)
print(torch.abs(torch.tensor([-0.0, 0.0], requires_grad=True)).sum().grad_fn)
z = torch.tensor([0.0, 1.0], requires_grad=True)
(z.abs().sum() + z.sqrt().sum()).backward()
print(z.grad)
"""

SCRIPTS["one_hot_setitem"] = """
import torch

y = torch.tensor([2, 0, 1, 2])
n, k = len(y), 3
onehot = torch.zeros(n, k)
onehot[torch.arange(n), y] = 1
print(onehot)
logits = torch.tensor([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.5]],
                      requires_grad=True)
p = torch.softmax(logits, dim=1)
loss = -(onehot * torch.log(p)).sum() / n
loss.backward()
print(loss, logits.grad)
m = torch.zeros(3, 3)
m[0] = 5
m[:, 1] = torch.tensor([1.0, 2.0, 3.0])
m[m > 4] = -1
print(m)
"""

SCRIPTS["newton_and_scalar_opt"] = """
import torch

# minimise f(x) = x^4 - 3x^2 + x with Newton's method using autograd
x = torch.tensor(2.0, requires_grad=True)
for i in range(6):
    f = x ** 4 - 3 * x ** 2 + x
    g, = torch.autograd.grad(f, x, create_graph=True)
    h, = torch.autograd.grad(g, x)
    with torch.no_grad():
        x -= g / h
    print(f"iter {i}: x={x.item():.6f} f={f.item():.6f} g={g.item():.3e}")
print(x, x.grad, x.requires_grad)
# plain gradient descent on a 2-d function using .data
p = torch.tensor([1.5, -0.5], requires_grad=True)
for _ in range(50):
    loss = (1 - p[0]) ** 2 + 5 * (p[1] - p[0] ** 2) ** 2
    loss.backward()
    p.data -= 0.01 * p.grad.data
    p.grad.data.zero_()
print(p, loss)
"""

SCRIPTS["requires_grad_idioms"] = """
import numpy as np
import torch

arr = np.array([[1.0, 2.0], [3.0, 4.0]])
x = torch.from_numpy(arr).float().requires_grad_()
print(x.is_leaf, x.requires_grad, x.dtype)
t = torch.from_numpy(arr)
t.requires_grad = True
print(t.requires_grad, t.is_leaf, t.dtype)
y = (x * x).sum()
y.backward()
print(x.grad)
u = torch.tensor([1.0, 2.0])
u.requires_grad_(True)
v = u * 2
print(v.requires_grad, v.is_leaf, v.grad_fn)
d = v.detach()
print(d.requires_grad, d.is_leaf, d.grad_fn)
d.requires_grad_()
(d ** 2).sum().backward()
print(d.grad, u.grad)
# numpy sharing: from_numpy and .numpy() share memory
a = np.zeros(3, dtype=np.float32)
ta = torch.from_numpy(a)
ta.add_(1)
print(a, ta)
n = ta.numpy()
n[0] = 5
print(ta)
"""

SCRIPTS["inplace_on_leaves_under_no_grad"] = """
import torch

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
with torch.no_grad():
    w.fill_(0.5)
    w.mul_(2)
    w.add_(torch.tensor([0.0, 1.0, 2.0]))
    w.div_(2)
    w[0] = 10.0
print(w, w.requires_grad, w.is_leaf, w.grad_fn)
loss = (w * w).sum()
loss.backward()
print(w.grad)
w.data.zero_()
print(w, w.grad)
w.data = torch.tensor([9.0, 8.0, 7.0])
print(w, w.requires_grad)
w.grad.zero_()
(w * 3).sum().backward()
print(w.grad)
h = w * 1
h.add_(1).mul_(2)
print(h.grad_fn, h.grad_fn.next_functions[0][0].name())
"""

SCRIPTS["trig_physics_energy"] = """
import math
import torch

theta = torch.tensor([0.1, 0.5, 1.0, math.pi / 2], requires_grad=True)
omega = torch.tensor([0.0, 1.0, -1.0, 2.0], requires_grad=True)
g, L, m = 9.81, 1.0, 2.0
energy = 0.5 * m * L ** 2 * omega ** 2 + m * g * L * (1 - torch.cos(theta))
E = energy.sum()
E.backward()
print(energy)
print(theta.grad, omega.grad)
print(torch.sin(theta) * m * g * L)
theta.grad.zero_(); omega.grad.zero_()
x = L * torch.sin(theta)
y = -L * theta.cos()
r = (x ** 2 + y ** 2).sqrt()
r.sum().backward()
print(r, theta.grad)
"""

SCRIPTS["two_layer_mlp_regression_F_linear"] = """
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(10)
X = torch.tensor(rng.uniform(-2, 2, (64, 1)), dtype=torch.float32)
Y = torch.sin(X) + 0.05 * torch.tensor(rng.standard_normal((64, 1)), dtype=torch.float32)
W1 = torch.tensor(rng.standard_normal((16, 1)), dtype=torch.float32, requires_grad=True)
b1 = torch.zeros(16, requires_grad=True)
W2 = torch.tensor(rng.standard_normal((1, 16)) * 0.25, dtype=torch.float32, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]
losses = []
for epoch in range(150):
    perm = rng.permutation(64)
    for i in range(0, 64, 16):
        idx = torch.tensor(perm[i:i + 16])
        xb, yb = X[idx], Y[idx]
        h = torch.tanh(F.linear(xb, W1, b1))
        pred = F.linear(h, W2, b2)
        loss = F.mse_loss(pred, yb)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.05 * p.grad
    losses.append(loss.item())
print([round(l, 4) for l in losses[::30]])
with torch.no_grad():
    test = torch.tensor([[-1.0], [0.0], [1.0]])
    print(F.linear(torch.tanh(F.linear(test, W1, b1)), W2, b2).squeeze())
print(pred.grad_fn, h.grad_fn)
"""

SCRIPTS["numpy_scalar_left_operand_loss"] = """
import numpy as np
import torch

# class-balance weight computed with numpy, used to scale the loss
counts = np.array([30, 10])
pos_weight = counts[0] / counts[1]          # numpy.float64
x = torch.tensor([[0.5, 1.0], [-1.0, 2.0], [0.0, -0.5]])
y = torch.tensor([1.0, 0.0, 1.0])
w = torch.zeros(2, requires_grad=True)
p = torch.sigmoid(x @ w)
loss = -(pos_weight * y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
print(type(loss).__name__, loss.grad_fn)
loss.backward()
print(w.grad)
"""

SCRIPTS["numpy_scale_attention"] = """
import numpy as np
import torch
import torch.nn.functional as F

d_k = 4
q = torch.tensor(np.linspace(-1, 1, 8).reshape(2, 4), dtype=torch.float32, requires_grad=True)
k = torch.tensor(np.linspace(0, 1, 8).reshape(2, 4), dtype=torch.float32)
scale = 1.0 / np.sqrt(d_k)                  # numpy.float64
scores = scale * (q @ k.T)
print(type(scores).__name__, scores.dtype)
attn = F.softmax(scores, dim=-1)
attn[:, 0].sum().backward()
print(q.grad)
"""

SCRIPTS["iterate_rows_grad_fn"] = """
import torch

seq = torch.tensor([[0.5, -1.0], [1.0, 0.0], [0.2, 0.3]], requires_grad=True)
W = torch.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True)
h = torch.zeros(2)
for x_t in seq:                      # iterate over time steps
    h = torch.tanh(x_t @ W + h)
print(x_t.grad_fn)
print(h.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
h.sum().backward()
print(seq.grad)
"""

SCRIPTS["collect_predictions_tensor_of_list"] = """
import torch

w = torch.tensor([[0.5], [-0.25]])
xs = [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 1.0]), torch.tensor([0.0, 4.0])]
preds = []
for x in xs:
    preds.append(x @ w)              # each a 1-element tensor of shape (1,)
all_preds = torch.tensor(preds)
print(all_preds, all_preds.shape)
print((all_preds > 0).sum())
"""

SCRIPTS["format_vector_in_fstring"] = """
import torch

w = torch.tensor([0.123, 4.567])
try:
    print(f"weights: {w:.2f}")
except TypeError as e:               # torch: formatting a multi-element tensor
    print("ERR", "TypeError:", e)
    print(f"weights: {w.tolist()}")
"""

SCRIPTS["numpy_interop_requires_grad"] = """
import numpy as np
import torch

x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
y = x * 2 + 1
try:
    arr = np.asarray(y)              # e.g. what plt.plot(y) does
    print("converted", arr)
except RuntimeError as e:
    print("ERR", "RuntimeError:", e)
print(np.asarray(y.detach()))
"""

# --------------------------------------------------------------------------- end of scripts


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(
            v[0] if isinstance(v, tuple) else v,
            id=k,
            marks=pytest.mark.xfail(strict=True, reason=v[1]) if isinstance(v, tuple) else (),
        )
        for k, v in SCRIPTS.items()
    ],
)
def test_script(src):
    check_script(src)
