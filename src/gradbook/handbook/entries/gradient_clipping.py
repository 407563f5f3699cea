"""Gradient clipping: an Elman RNN on the adding problem that blows up without clipping and trains
with ``clip_grad_norm_``; what ``clip_grad_value_`` does to the direction; why the gradient explodes
(the product of Jacobians through time); and whether a smaller learning rate would do instead."""
from __future__ import annotations

import numpy as np

from ... import backend, nn, optim
from ...autograd import Tensor
from ...nn import functional as F
from ...nn.utils import clip_grad_norm_, clip_grad_value_
from ..entry import Entry
from ..result import Result

HIDDEN, BATCH, LENGTH = 16, 32, 10
RECURRENT_GAIN = 1.5  # W_hh = 1.5 × a random orthogonal matrix: every singular value 1.5
BASELINE = 1 / 6      # the adding problem's loss when always predicting 1: Var(u₁ + u₂), u ~ U(0, 1)
DIVERGED = 1e3        # a loss above this (or not finite) counts as blown up


def adding_batch(rng: np.random.Generator, batch: int = BATCH, length: int = LENGTH):
    """The adding problem (Hochreiter & Schmidhuber 1997): input (T, N, 2) = (value ~ U(0, 1), marker);
    two positions per sequence are marked; the target is the sum of their values."""
    values = rng.random((length, batch))
    markers = np.zeros((length, batch))
    for j in range(batch):
        markers[rng.choice(length, 2, replace=False), j] = 1.0
    return np.stack([values, markers], -1), (values * markers).sum(0)


def make_model(seed: int, gain: float = RECURRENT_GAIN):
    backend.manual_seed(seed)
    rnn = nn.RNN(2, HIDDEN, dtype="float64")
    head = nn.Linear(HIDDEN, 1, dtype="float64")
    basis, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((HIDDEN, HIDDEN)))
    rnn.weight_hh_l0.data[:] = gain * basis
    return rnn, head


def loss_of(rnn, head, x, y, h0=None):
    out, _ = rnn(Tensor(x), h0)
    return F.mse_loss(head(out[-1]).reshape(-1), Tensor(y))


def train(clip: str | None, lr: float, steps: int, seed: int = 0, threshold: float = 1.0):
    """SGD on fresh batches; ``clip`` None, 'norm' (clip_grad_norm_(…, threshold)) or 'value'
    (clip_grad_value_(…, threshold)). Returns (losses, gradient norms before clipping, clipped?)."""
    rnn, head = make_model(seed)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = optim.SGD(params, lr=lr)
    rng = np.random.default_rng(seed + 1)
    losses, norms, clipped = [], [], []
    for _ in range(steps):
        x, y = adding_batch(rng)
        loss = loss_of(rnn, head, x, y)
        opt.zero_grad()
        loss.backward()
        with np.errstate(over="ignore", invalid="ignore"):
            norm = float(np.sqrt(sum(float((p.grad.data ** 2).sum()) for p in params)))
            largest = max(float(np.abs(p.grad.data).max()) for p in params)
        if clip == "norm":
            clip_grad_norm_(params, threshold)
        elif clip == "value":
            clip_grad_value_(params, threshold)
        opt.step()
        losses.append(float(loss.data))
        norms.append(norm)
        clipped.append(norm > threshold if clip == "norm" else largest > threshold if clip == "value" else False)
        if not np.isfinite(losses[-1]) or losses[-1] > DIVERGED:
            break
    return np.array(losses), np.array(norms), np.array(clipped)


def compute(quick: bool) -> Result:
    r = Result()
    # 1. why gradients explode: ‖∂L/∂h₀‖ through T steps of the untrained net, for three recurrent gains
    lengths = (5, 10, 20, 40)
    rows = []
    for gain in (0.5, 1.0, RECURRENT_GAIN):
        row = [gain]
        for length in lengths:
            rnn, head = make_model(0, gain)
            x, y = adding_batch(np.random.default_rng(0), length=length)
            h0 = Tensor(np.zeros((1, BATCH, HIDDEN)), requires_grad=True)
            loss_of(rnn, head, x, y, h0).backward()
            norm = float(np.linalg.norm(h0.grad.data))
            r.number(f"dh0_gain{str(gain).replace('.', '_')}_T{length}", norm,
                     f"‖∂L/∂h₀‖, W_hh = {gain} × orthogonal, T = {length}")
            row.append(f"{norm:.2e}")
        rows.append(row)
    r.table("‖∂L/∂h₀‖ of the untrained RNN: the gradient through time",
            ["gain of W_hh"] + [f"T = {t}" for t in lengths], rows)
    n = r.numbers
    shrinks = n["dh0_gain0_5_T40"] < 1e-6 * n["dh0_gain0_5_T5"]
    grows = n["dh0_gain1_5_T40"] > 10 * n["dh0_gain1_5_T5"]
    r.check("product", shrinks and grows)

    # 2. training: no clipping, clip by norm, clip by value, and a ten times smaller step instead
    steps = 1500 if quick else 4000
    lr = 0.3
    r.number("steps", steps)
    r.number("lr", lr)
    runs = {"none": (None, lr), "norm": ("norm", lr), "value": ("value", lr), "small_lr": (None, lr / 10)}
    thresholds = {"norm": 1.0, "value": 0.1}
    table, curves = [], {}
    for name, (clip, rate) in runs.items():
        losses, norms, clipped = train(clip, rate, steps, threshold=thresholds.get(name, 1.0))
        curves[name] = losses
        blown = len(losses) < steps or not np.isfinite(losses[-1]) or losses[-1] > DIVERGED
        r.number(f"diverged_{name}", bool(blown))
        r.number(f"diverged_at_{name}", len(losses) if blown else None, "the step whose loss was non-finite or > 1e3")
        r.number(f"final_{name}", float(np.mean(losses[-100:])) if not blown else float("inf"),
                 "mean loss, last 100 steps")
        r.number(f"early_{name}", float(np.mean(losses[:200])) if not blown else float("inf"),
                 "mean loss, first 200 steps")
        r.number(f"max_norm_{name}", float(np.max(norms[np.isfinite(norms)])), "largest gradient norm before clipping")
        r.number(f"clipped_share_{name}", float(np.mean(clipped)), "share of steps the clipping changed")
        label = {"none": f"no clipping, lr {lr}", "norm": f"clip_grad_norm_(…, 1.0), lr {lr}",
                 "value": f"clip_grad_value_(…, 0.1), lr {lr}", "small_lr": f"no clipping, lr {lr / 10:g}"}[name]
        table.append([label, "blew up at step " + str(len(losses)) if blown else f"{n[f'final_{name}']:.4f}",
                      f"{n[f'max_norm_{name}']:.3g}", f"{n[f'clipped_share_{name}']:.0%}" if clip else "—"])
    r.number("baseline", BASELINE, "loss of always predicting 1")
    r.table(f"Elman RNN (tanh, {HIDDEN} units) on the adding problem, T = {LENGTH}, batch {BATCH}, SGD, {steps} steps",
            ["run", "loss, last 100 steps", "largest ‖g‖", "steps clipped"], table)
    r.condition(f"W_hh = {RECURRENT_GAIN} × a random orthogonal matrix (a gain that makes the gradient grow through "
                f"time), other weights torch's default initialisation, float64, seed 0; a fresh batch every step. "
                f"Always predicting 1 scores {BASELINE:.4f}. At lr {lr} the clipped runs are sensitive to rounding: a "
                f"difference of 1e-16 (another library's summation order) grows to a few per cent of the loss by step "
                f"1000, so their final losses are one sample of a spread, not exact values.")
    rescued = n["diverged_none"] and not n["diverged_norm"] and n["final_norm"] < 0.5 * BASELINE
    r.check("rescues-training", rescued)

    # 3. direction: clip by norm scales the whole gradient, clip by value bends it
    rnn, head = make_model(0)
    params = list(rnn.parameters()) + list(head.parameters())
    x, y = adding_batch(np.random.default_rng(1))
    loss_of(rnn, head, x, y).backward()
    raw = np.concatenate([p.grad.data.ravel() for p in params])
    clip_grad_norm_(params, 1.0)
    by_norm = np.concatenate([p.grad.data.ravel() for p in params])
    for p, g in zip(params, np.split(raw, np.cumsum([p.grad.data.size for p in params])[:-1])):
        p.grad.data[...] = g.reshape(p.grad.data.shape)
    clip_grad_value_(params, 0.1)
    by_value = np.concatenate([p.grad.data.ravel() for p in params])
    cosine = lambda a, b: float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))  # noqa: E731
    r.number("raw_norm", float(np.linalg.norm(raw)), "‖g‖ of one batch, untrained net")
    r.number("norm_after_norm_clip", float(np.linalg.norm(by_norm)))
    r.number("cos_norm_clip", cosine(raw, by_norm), "cos(g, clip_grad_norm_(g, 1))")
    r.number("cos_value_clip", cosine(raw, by_value), "cos(g, clip_grad_value_(g, 0.1))")
    r.number("value_clipped_entries", int(np.count_nonzero(np.abs(raw) > 0.1)), "entries with |g| > 0.1")
    r.number("entries", int(raw.size))
    r.check("direction", abs(r.numbers["cos_norm_clip"] - 1) < 1e-12 and r.numbers["cos_value_clip"] < 0.999)

    # 4. is clipping just a smaller learning rate?
    same = (not n["diverged_small_lr"]) and n["final_small_lr"] <= n["final_norm"]
    r.verdict("just-smaller-lr", "confirmed" if same else "corrected" if not n["diverged_small_lr"] else "depends")

    _figure(r, curves, steps)
    return r


def _figure(r: Result, curves, steps: int) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    labels = {"none": "no clipping", "norm": "clip_grad_norm_ 1.0", "value": "clip_grad_value_ 0.1",
              "small_lr": "no clipping, lr / 10"}
    for name, losses in curves.items():
        shown = np.where(np.isfinite(losses), np.minimum(losses, 1e6), 1e6)
        smooth = np.convolve(shown, np.ones(20) / 20, mode="valid") if len(shown) > 40 else shown
        ax.semilogy(np.arange(len(smooth)), smooth, lw=1.2, label=labels[name])
        if len(losses) < steps:
            ax.plot(len(losses) - 1, 1e6, "x", color=ax.lines[-1].get_color(), ms=8)
    ax.axhline(BASELINE, color="k", ls=":", lw=0.8, label="always predict 1")
    ax.set(xlabel="step", ylabel="MSE (20-step mean)", ylim=(1e-2, 2e6),
           title=f"RNN on the adding problem (T = {LENGTH}), SGD lr {r.numbers['lr']}")
    ax.legend(fontsize=8)
    r.figure("clipping_training", fig, "Training loss with and without clipping; a cross marks where a run blew up.")


ENTRY = Entry(
    id="gradient-clipping",
    section="G",
    title={"zh": "梯度裁剪", "en": "Gradient clipping"},
    keywords=["gradient clipping", "梯度裁剪", "clip_grad_norm_", "clip_grad_value_", "exploding gradient",
              "梯度爆炸", "RNN", "循环神经网络", "adding problem"],
    claims={
        "product": {
            "en": "The notes: \"exploding and vanishing gradients come from the product (chain-rule multiplication) "
                  "in back-propagation\".",
            "zh": "笔记：\"梯度爆炸和梯度消失问题……本质上是因为梯度反向传播中的连乘效应。\""},
        "rescues-training": {
            "en": "The notes list gradient clipping as the remedy for exploding gradients: a net that blows up "
                  "trains once its gradient is clipped.",
            "zh": "笔记把\"梯度裁剪\"列为应对梯度爆炸的办法：会发散的网络，裁剪梯度后就能训练。"},
        "direction": {
            "en": "Clipping by norm rescales the whole gradient and keeps its direction; clipping by value "
                  "changes the direction.",
            "zh": "按范数裁剪是把整个梯度等比例缩小，方向不变；按值裁剪会改变方向。"},
        "just-smaller-lr": {
            "en": "Clipping is just a smaller learning rate.",
            "zh": "梯度裁剪不过是更小的学习率。"},
    },
    answer={
        "en": r"""
Back-propagation through time multiplies one Jacobian per step,
$\partial h_T/\partial h_0 = \prod_t \mathrm{diag}(1 - h_t^2)\, W_{hh}$, so the gradient reaching early steps
scales roughly like the $T$-th power of $W_{hh}$'s gain: on an untrained tanh RNN, $\|\partial L/\partial h_0\|$
falls from {=dh0_gain0_5_T5:.1e} to {=dh0_gain0_5_T40:.1e} between $T$ = 5 and 40 when $W_{hh}$ is 0.5 × an
orthogonal matrix, and grows from {=dh0_gain1_5_T5:.2f} to {=dh0_gain1_5_T40:.2f} at gain 1.5 (tanh's saturation
keeps the growth below $1.5^T$). That is the notes' "product effect", and it is why the remedies differ: gating
(LSTM), residual paths and careful initialisation for vanishing gradients; **clipping** for exploding ones.

`clip_grad_norm_(params, max_norm)` computes the norm of all gradients as one vector and, if it exceeds
`max_norm`, multiplies every gradient by `max_norm / norm`; `clip_grad_value_(params, c)` clamps each entry to
$[-c, c]$. Both act between `backward()` and `step()`.

Live: a tanh RNN ({=steps} steps of SGD, lr {=lr}) on the adding problem. **Without clipping** a few steps in one
large gradient ($\|g\|$ = {=max_norm_none:.3g}) throws the weights far away and the loss blows up at step
{=diverged_at_none}.
**With `clip_grad_norm_(…, 1.0)`** the same run trains: its loss over the last 100 steps is {=final_norm:.4f},
against {=baseline:.4f} for always predicting 1; {=clipped_share_norm:.0%} of its steps were clipped.
`clip_grad_value_(…, 0.1)` ends at {=final_value:.4f}.

- **Direction.** On one batch ($\|g\|$ = {=raw_norm:.2f}) clipping by norm leaves $\cos(g, g')$ =
  {=cos_norm_clip:.12f}; clipping by value clamps {=value_clipped_entries} of {=entries} entries and turns the
  gradient ($\cos$ = {=cos_value_clip:.3f}): the update is no longer a scaled gradient step.
- **Just a smaller learning rate?** No: clipping shrinks only the steps whose gradient is large and leaves the
  others alone. Without clipping at lr {=lr} / 10 the run stays finite but ends at {=final_small_lr:.4f}, behind
  the clipped run at the full rate.
""",
        "zh": r"""
随时间反向传播每一步都要乘一个雅可比矩阵，$\partial h_T/\partial h_0 = \prod_t \mathrm{diag}(1 - h_t^2)\, W_{hh}$，所以传到早期时刻的梯度
大致按 $W_{hh}$ 增益的 $T$ 次方缩放：在未训练的 tanh RNN 上，$W_{hh}$ 取 0.5 × 正交矩阵时，$\|\partial L/\partial h_0\|$ 从 $T$ = 5 的
{=dh0_gain0_5_T5:.1e} 降到 $T$ = 40 的 {=dh0_gain0_5_T40:.1e}；增益 1.5 时从 {=dh0_gain1_5_T5:.2f} 增长到 {=dh0_gain1_5_T40:.2f}（tanh 的饱和使
增长慢于 $1.5^T$）。这就是笔记里说的"连乘效应"，也说明了为什么对策不同：梯度消失靠门控（LSTM）、残差通路和合适的初始化；
梯度爆炸靠**梯度裁剪**。

`clip_grad_norm_(params, max_norm)` 把所有梯度看成一个向量求范数，超过 `max_norm` 时把每个梯度都乘以 `max_norm / norm`；
`clip_grad_value_(params, c)` 把每个元素截断到 $[-c, c]$。二者都放在 `backward()` 与 `step()` 之间。

实测：tanh RNN 在 adding problem 上用 SGD（lr {=lr}）训练 {=steps} 步。**不裁剪**时，几步之后一个很大的梯度（$\|g\|$ = {=max_norm_none:.3g}）把权重甩到远处，
第 {=diverged_at_none} 步损失爆掉。**用 `clip_grad_norm_(…, 1.0)`** 同样的训练就能进行：最后 100 步的损失为 {=final_norm:.4f}，而始终预测 1
的损失是 {=baseline:.4f}；其中 {=clipped_share_norm:.0%} 的步被裁剪过。`clip_grad_value_(…, 0.1)` 最后为 {=final_value:.4f}。

- **方向。** 对一个 batch（$\|g\|$ = {=raw_norm:.2f}），按范数裁剪后 $\cos(g, g')$ = {=cos_norm_clip:.12f}；按值裁剪截断了 {=entries}
  个元素中的 {=value_clipped_entries} 个，梯度方向改变了（$\cos$ = {=cos_value_clip:.3f}）：更新不再是沿梯度方向的缩放。
- **只是更小的学习率？** 不是：裁剪只缩小梯度大的那些步，其余的步不受影响。不裁剪而把学习率降到 {=lr} / 10，训练不会发散，但最后只到
  {=final_small_lr:.4f}，不如用原学习率加裁剪。
""",
    },
    compute=compute,
)
