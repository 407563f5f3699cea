"""What a transposed convolution is: multiplication by Cᵀ, where C is the convolution's sparse matrix."""
from __future__ import annotations

import numpy as np

from ...analysis import conv_matrix
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..plots import image_row
from ..result import Result

KERNEL = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # the 3x3 kernel of the 4x4 example, weights 1 … 9


def _max_error(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a).reshape(-1) - np.asarray(b).reshape(-1))))


def _input_gradient(fn, x: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    t = Tensor(x, requires_grad=True)
    (fn(t) * Tensor(upstream)).sum().backward()
    return t.grad.numpy()


def compute(quick: bool) -> Result:
    r = Result()
    rng = np.random.default_rng(0)
    c = conv_matrix(KERNEL, (1, 4, 4))
    r.number("c_rows", c.shape[0], "conv_matrix(kernel, (1, 4, 4)).shape")
    r.number("c_cols", c.shape[1])
    r.number("c_nonzeros", int(np.count_nonzero(c)))
    r.number("c_nonzero_share", float(np.count_nonzero(c) / c.size))
    r.number("c_rank", int(np.linalg.matrix_rank(c)), "np.linalg.matrix_rank(C)")
    c32 = conv_matrix(KERNEL, (1, 32, 32))
    r.number("c32_nonzero_share", float(np.count_nonzero(c32) / c32.size), "the same kernel on a 32x32 input")
    r.number("lost_directions", c.shape[1] - r.numbers["c_rank"], "input dimensions minus the rank of C")

    x = rng.standard_normal((1, 1, 4, 4))
    y = F.conv2d(Tensor(x), Tensor(KERNEL)).numpy()
    r.number("err_conv_is_cx", _max_error(c @ x.reshape(-1), y), "|C x - conv2d(x)|, largest entry")
    g = rng.standard_normal((1, 1, 2, 2))
    up = F.conv_transpose2d(Tensor(g), Tensor(KERNEL)).numpy()
    r.number("transposed_out_side", up.shape[-1], "conv_transpose2d of a 2x2 map with the 3x3 kernel")
    r.number("err_transposed_is_ctg", _max_error(c.T @ g.reshape(-1), up), "|Cᵀ g - conv_transpose2d(g)|")
    r.number("err_conv_grad_is_ctg", _max_error(c.T @ g.reshape(-1), _input_gradient(lambda t: F.conv2d(t, Tensor(KERNEL)), x, g)),
             "|Cᵀ g - d(conv2d)/dx applied to g|")
    g_big = rng.standard_normal((1, 1, 4, 4))
    r.number("err_transposed_grad_is_cg",
             _max_error(c @ g_big.reshape(-1), _input_gradient(lambda t: F.conv_transpose2d(t, Tensor(KERNEL)), g, g_big)),
             "|C g' - d(conv_transpose2d)/dg applied to g'|")

    # stride 2 and padding 1: a 5x5 map goes down to 3x3, and the transposed conv brings 3x3 back up to 5x5
    w2 = rng.standard_normal((1, 1, 3, 3))
    c2 = conv_matrix(w2, (1, 5, 5), stride=2, padding=1)
    small = rng.standard_normal((1, 1, 3, 3))
    up2 = F.conv_transpose2d(Tensor(small), Tensor(w2), stride=2, padding=1).numpy()
    r.number("strided_c_shape", f"{c2.shape[0]} x {c2.shape[1]}")
    r.number("strided_up_side", up2.shape[-1], "conv_transpose2d(3x3 map, stride=2, padding=1)")
    r.number("err_strided_is_ctg", _max_error(c2.T @ small.reshape(-1), up2))

    # is it an inverse? Cᵀ (C x) against x, at its best scale; and the best any matrix can do, C⁺ C x
    flat = x.reshape(-1)
    back = c.T @ (c @ flat)
    scale = back @ flat / (back @ back)
    r.number("roundtrip_relative_error", float(np.linalg.norm(scale * back - flat) / np.linalg.norm(flat)),
             "min over a of |a Cᵀ C x - x| / |x|")
    r.number("best_linear_relative_error", float(np.linalg.norm(np.linalg.pinv(c) @ (c @ flat) - flat) / np.linalg.norm(flat)),
             "|C⁺ C x - x| / |x| (pseudo-inverse)")
    r.table("The 4x4 example", ["", "value"],
            [["C (rows x columns)", f"{r.numbers['c_rows']} x {r.numbers['c_cols']}"],
             ["nonzeros (share)", f"{r.numbers['c_nonzeros']} ({r.numbers['c_nonzero_share']:.0%})"],
             ["rank of C", r.numbers["c_rank"]],
             ["|C x − conv2d(x)|", f"{r.numbers['err_conv_is_cx']:.1e}"],
             ["|Cᵀ g − conv_transpose2d(g)|", f"{r.numbers['err_transposed_is_ctg']:.1e}"],
             ["|Cᵀ g − conv2d's input gradient|", f"{r.numbers['err_conv_grad_is_ctg']:.1e}"],
             ["|C g′ − conv_transpose2d's input gradient|", f"{r.numbers['err_transposed_grad_is_cg']:.1e}"],
             ["min over a of |a Cᵀ C x − x| / |x|", f"{r.numbers['roundtrip_relative_error']:.2f}"],
             ["|C⁺ C x − x| / |x| (the best any matrix does)", f"{r.numbers['best_linear_relative_error']:.2f}"]])

    exact = 1e-12
    r.check("conv-is-sparse-matrix", r.numbers["err_conv_is_cx"] < exact and r.numbers["c_nonzeros"] == 4 * 9)
    r.check("transposed-conv-is-ct", r.numbers["err_transposed_is_ctg"] < exact and r.numbers["err_strided_is_ctg"] < exact
            and r.numbers["err_transposed_grad_is_cg"] < exact)
    r.check("conv-backward-is-ct", r.numbers["err_conv_grad_is_ctg"] < exact)
    r.check("deconv-inverts-conv", r.numbers["roundtrip_relative_error"] < 1e-6
            and r.numbers["best_linear_relative_error"] < 1e-6)
    r.condition("The transposed convolution restores the shape of the input, not its values: C (4 x 16) has rank "
                f"{r.numbers['c_rank']}, so {r.numbers['lost_directions']} directions of the input are lost and no "
                "linear map brings them back.")

    fig, _ = image_row([("C (4 x 16): conv2d", c), ("Cᵀ (16 x 4): conv_transpose2d", c.T)], panel_size=(4.5, 3.0),
                       annotate="nonzero", annotation_size=7, cmap="Blues", aspect="auto")
    r.figure("conv_matrix", fig, "A 3x3 kernel (weights 1 … 9) on a 4x4 input as a matrix: each row of C is one "
                                 "output and holds the nine weights; Cᵀ spreads each output back over its window.")
    return r


ENTRY = Entry(
    id="transposed-conv",
    section="C",
    title={"zh": "转置卷积的实质", "en": "What a transposed convolution really is"},
    keywords=["transposed convolution", "deconvolution", "转置卷积", "反卷积", "逆卷积", "conv matrix", "upsampling"],
    claims={
        "conv-is-sparse-matrix": {
            "en": "A convolution multiplies the flattened input by a sparse matrix C whose nonzeros are the kernel's weights.",
            "zh": "卷积等于把展平的输入乘以一个稀疏矩阵 C，C 的非零元素就是卷积核的权重。"},
        "transposed-conv-is-ct": {
            "en": "A transposed convolution multiplies by Cᵀ in its forward pass and by C in its backward pass.",
            "zh": "转置卷积的前向传播是乘以 Cᵀ，反向传播是乘以 C。"},
        "conv-backward-is-ct": {
            "en": "The backward pass of a convolution (the gradient with respect to its input) multiplies by Cᵀ.",
            "zh": "卷积的反向传播（对输入的梯度）是乘以 Cᵀ。"},
        "deconv-inverts-conv": {
            "en": "A transposed convolution ('deconvolution') undoes a convolution.",
            "zh": "转置卷积（\"反卷积\"）能把卷积还原回去。"},
    },
    answer={
        "en": r"""
A convolution is linear in its input, so it has a matrix. Flatten a 4x4 input to 16 values and
the 2x2 output of a 3x3 kernel to 4: the convolution is $y = Cx$ with $C$ of shape
{=c_rows} x {=c_cols}, each row holding the nine weights at the positions of its window and zeros
elsewhere ({=c_nonzeros} nonzeros, {=c_nonzero_share:.0%}; on a 32x32 input already only
{=c32_nonzero_share:.2%}).
`gradbook.analysis.conv_matrix` builds $C$ from the definition, and $Cx$ equals `conv2d` to
{=err_conv_is_cx:.0e}.

The **transposed convolution** is multiplication by $C^\top$: it maps the 4 values back to 16
(a {=transposed_out_side}x{=transposed_out_side} map), each input value spread over its window times
the kernel. `conv_transpose2d(g)` equals $C^\top g$ to {=err_transposed_is_ctg:.0e}. This is exactly
the backward pass of the convolution: its input gradient is $C^\top g$ (error
{=err_conv_grad_is_ctg:.0e}); and the backward pass of the transposed convolution is $C g'$
(error {=err_transposed_grad_is_cg:.0e}). The two layers swap their forward and backward passes, as
the notes say. With stride 2 and padding 1, $C$ is {=strided_c_shape} (5x5 down to 3x3), and
$C^\top$ takes a 3x3 map up to {=strided_up_side}x{=strided_up_side}: that is why it serves as
learnable up-sampling (decoders, GAN generators, FCN segmentation).

It is **not an inverse**, despite the name "deconvolution": even at its best scale $C^\top C x$
misses $x$ by {=roundtrip_relative_error:.0%} of $x$'s norm here. No matrix can do much better: $C$
has rank {=c_rank}, so it forgets {=lost_directions} of the {=c_cols} input directions, and the best reconstruction,
the pseudo-inverse $C^+ C x$, still misses by {=best_linear_relative_error:.0%}. A transposed convolution restores
the *shape*; its weights are learned, not derived from the convolution's.
""",
        "zh": r"""
卷积对输入是线性的，所以它有一个矩阵。把 4x4 输入展平成 16 个值，3x3 卷积核得到的 2x2 输出展平成 4 个值：卷积就是
$y = Cx$，$C$ 的形状为 {=c_rows} x {=c_cols}，每一行在其窗口对应的位置放着 9 个权重，其余为 0（{=c_nonzeros} 个非零元素，
占 {=c_nonzero_share:.0%}；在 32x32 的输入上就只有 {=c32_nonzero_share:.2%}）。`gradbook.analysis.conv_matrix` 按定义构造 $C$，$Cx$ 与 `conv2d`
的差为 {=err_conv_is_cx:.0e}。

**转置卷积**就是乘以 $C^\top$：把 4 个值映射回 16 个（{=transposed_out_side}x{=transposed_out_side} 的特征图），每个输入值乘以
卷积核后铺回它的窗口。`conv_transpose2d(g)` 与 $C^\top g$ 相差 {=err_transposed_is_ctg:.0e}。这正是卷积的反向传播：卷积对输入
的梯度是 $C^\top g$（误差 {=err_conv_grad_is_ctg:.0e}）；而转置卷积的反向传播是 $C g'$（误差 {=err_transposed_grad_is_cg:.0e}）。
两种层的前向与反向正好互换，与笔记所说一致。步长 2、padding 1 时 $C$ 为 {=strided_c_shape}（5x5 降到 3x3），$C^\top$ 则把 3x3
升回 {=strided_up_side}x{=strided_up_side}：因此转置卷积被用作可学习的上采样（解码器、GAN 生成器、FCN 分割）。

尽管叫"反卷积"，它**不是逆运算**：即使取最佳缩放，$C^\top C x$ 与 $x$ 的差仍达到 $x$ 范数的 {=roundtrip_relative_error:.0%}。
任何矩阵也好不了多少：$C$ 的秩只有 {=c_rank}，{=c_cols} 个输入方向中有 {=lost_directions} 个被丢掉了，最好的重建——伪逆 $C^+ C x$——误差仍有
{=best_linear_relative_error:.0%}。转置卷积恢复的是*形状*；它的权重是学出来的，
不是由卷积推导出来的。
""",
    },
    compute=compute,
)
