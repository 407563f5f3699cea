"""Cross-entropy, entropy and KL divergence: H(p, q) = H(p) + KL(p‖q), computed."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result


def compute(quick: bool) -> Result:
    r = Result()
    rng = backend.spawn_rng(7)
    p = rng.dirichlet(np.ones(5))                     # the data distribution
    logits = Tensor(rng.normal(size=5), requires_grad=True)
    log_q = F.log_softmax(logits, dim=0)
    q = np.exp(log_q.data)
    entropy = float(-(p * np.log(p)).sum())
    cross_entropy = -(Tensor(p) * log_q).sum()
    kl = F.kl_div(log_q, Tensor(p), reduction="sum")   # PyTorch's argument order: input = log q, target = p
    r.number("H_p", entropy, "-(p * log p).sum()")
    r.number("H_pq", float(cross_entropy.item()), "-(p * F.log_softmax(logits, 0)).sum()")
    r.number("KL_pq", float(kl.item()), 'F.kl_div(log_q, p, reduction="sum")')
    r.number("identity_gap", abs(r.numbers["H_pq"] - r.numbers["H_p"] - r.numbers["KL_pq"]))
    kl_qp = float(F.kl_div(Tensor(np.log(p)), Tensor(q), reduction="sum").item())
    r.number("KL_qp", kl_qp, 'F.kl_div(log p, q, reduction="sum")')

    cross_entropy.backward()
    grad_ce = logits.grad.data.copy()
    logits.grad = None
    F.kl_div(F.log_softmax(logits, dim=0), Tensor(p), reduction="sum").backward()
    grad_kl = logits.grad.data
    r.number("grad_gap_ce_vs_kl", float(np.abs(grad_ce - grad_kl).max()))
    r.number("KL_pp", float(F.kl_div(Tensor(np.log(p)), Tensor(p), reduction="sum").item()))

    r.check("ce-equals-entropy-plus-kl", r.numbers["identity_gap"] < 1e-12)
    r.check("kl-not-symmetric", abs(r.numbers["KL_pq"] - kl_qp) > 1e-3)
    r.check("same-gradient", r.numbers["grad_gap_ce_vs_kl"] < 1e-12)
    r.check("kl-nonnegative-zero-at-equality", r.numbers["KL_pq"] > 0 and abs(r.numbers["KL_pp"]) < 1e-15)
    r.table("Distributions", ["i", "p (data)", "q (model)"], [[i, float(p[i]), float(q[i])] for i in range(5)])
    return r


ENTRY = Entry(
    id="kl",
    section="F",
    title={"zh": "交叉熵、KL 散度的关系", "en": "Cross-entropy, entropy and KL"},
    keywords=["kl", "kl divergence", "entropy", "熵", "交叉熵", "散度", "相对熵"],
    claims={
        "ce-equals-entropy-plus-kl": {"en": "Cross-entropy equals entropy plus KL divergence: $H(p,q) = H(p) + KL(p\\|q)$.",
                                      "zh": "交叉熵等于熵加 KL 散度：$H(p,q) = H(p) + KL(p\\|q)$。"},
        "kl-not-symmetric": {"en": "KL divergence is not symmetric: $KL(p\\|q) \\neq KL(q\\|p)$.",
                             "zh": "KL 散度不对称：$KL(p\\|q) \\neq KL(q\\|p)$。"},
        "same-gradient": {"en": "For fixed data $p$, minimising cross-entropy and minimising KL give the same gradient.",
                          "zh": "数据分布 $p$ 固定时，最小化交叉熵与最小化 KL 散度的梯度相同。"},
        "kl-nonnegative-zero-at-equality": {"en": "KL is non-negative and zero only when $q = p$.",
                                            "zh": "KL 散度非负，且仅当 $q = p$ 时为零。"},
    },
    answer={
        "en": r"""
For a data distribution $p$ and a model distribution $q$ over the same classes:

- entropy $H(p) = -\sum_i p_i \log p_i$ — the average surprise of the data itself;
- cross-entropy $H(p,q) = -\sum_i p_i \log q_i$ — the average surprise when coding data from $p$
  with $q$;
- KL divergence $KL(p\|q) = \sum_i p_i \log (p_i / q_i)$ — the extra cost of using $q$.

Adding the first and third gives the second: $H(p,q) = H(p) + KL(p\|q)$. On a random $p$ over 5
classes and a softmax $q$: $H(p) =$ {=H_p:.4f}, $KL(p\|q) =$ {=KL_pq:.4f}, $H(p,q) =$
{=H_pq:.4f}; the identity holds to {=identity_gap:.1e}.

Because $H(p)$ does not depend on the model, training with cross-entropy *is* minimising KL:
the gradients with respect to the logits differ by {=grad_gap_ce_vs_kl:.1e}. KL is not a
distance: reversed it gives {=KL_qp:.4f}. It is $\geq 0$ (Gibbs' inequality) and vanishes only
at $q = p$ (here {=KL_pp}).

Note PyTorch's (and gradbook's) `kl_div(input, target)` takes the *log*-probabilities of $q$
as `input` and $p$ as `target`.
""",
        "zh": r"""
对同一组类别上的数据分布 $p$ 与模型分布 $q$：

- 熵 $H(p) = -\sum_i p_i \log p_i$：数据自身的平均"意外程度"；
- 交叉熵 $H(p,q) = -\sum_i p_i \log q_i$：用 $q$ 对来自 $p$ 的数据编码时的平均代价；
- KL 散度 $KL(p\|q) = \sum_i p_i \log (p_i / q_i)$：使用 $q$ 而非 $p$ 带来的额外代价。

第一项加第三项等于第二项：$H(p,q) = H(p) + KL(p\|q)$。在 5 类随机分布 $p$ 与 softmax 输出 $q$ 上：
$H(p) =$ {=H_p:.4f}，$KL(p\|q) =$ {=KL_pq:.4f}，$H(p,q) =$ {=H_pq:.4f}；等式误差为 {=identity_gap:.1e}。

由于 $H(p)$ 与模型无关，用交叉熵训练*就是*在最小化 KL：二者对 logits 的梯度只相差 {=grad_gap_ce_vs_kl:.1e}。
KL 不是距离：交换参数后为 {=KL_qp:.4f}。它总是 $\geq 0$（吉布斯不等式），仅在 $q = p$ 时为零（此处为 {=KL_pp}）。

注意 PyTorch（以及 gradbook）的 `kl_div(input, target)` 中 `input` 是 $q$ 的*对数*概率，`target` 是 $p$。
""",
    },
    compute=compute,
)
