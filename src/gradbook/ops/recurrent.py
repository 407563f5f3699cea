"""Recurrent layers over a whole sequence: one Function per layer and direction, with
backpropagation through time written by hand.

Every layer works time-major: x (T, N, I), h0 (N, H) → out (T, N, H), h_T (N, H) [, c_T].
Weights follow PyTorch's layout: W_ih (G·H, I), W_hh (G·H, H), b_ih, b_hh (G·H,), the G gate
blocks stacked in PyTorch's order (LSTM i, f, g, o; GRU r, z, n; plain RNN one block). An LSTM
with a projection (PyTorch's ``proj_size`` P) also takes W_hr (P, H): its h is (N, P) and W_hh
(4H, P), while c stays (N, H).

Speed comes from two choices: the input projection of all T steps is ONE matmul
(x W_ihᵀ over (T·N, I)), and each step does ONE matmul h W_hhᵀ for all gates. The backward
mirrors it: one matmul per step for dh, then dW_ih, dW_hh, dx and the biases are each one
matmul or sum over all steps at once. With ``reverse=True`` the steps run from T-1 down to 0
(the backward half of a bidirectional layer); outputs stay in time order.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__ = ["rnn_tanh_layer", "rnn_relu_layer", "gru_layer", "lstm_layer", "rnn_stack", "GATES"]

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


def _project(x: np.ndarray, w_ih: np.ndarray, *biases) -> np.ndarray:
    """x W_ihᵀ + Σ biases for all steps at once: (T, N, I) → (T, N, G·H), one matmul and one
    pass adding the biases (summed first: a (G·H,) add instead of a (T, N, G·H) one)."""
    T, N, I = x.shape
    xp = (x.reshape(T * N, I) @ w_ih.T).reshape(T, N, -1)
    given = [b for b in biases if b is not None]
    if given:
        xp += given[0] if len(given) == 1 else sum(given[1:], given[0])
    return xp


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ(a) in place as ½ tanh(a/2) + ½: the same function, but NumPy's tanh is vectorised and
    several times faster than scipy's expit (the gates' largest elementwise cost)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _sigmoid_rows_halved(G: int, H: int, dtype) -> np.ndarray:
    """(G,) multipliers: ½ on the LSTM's sigmoid gates i, f, o (rows 0:2H and 3H:4H), 1 on g."""
    half = np.full(G, 0.5, dtype)
    half[2 * H:3 * H] = 1.0
    return half


def _transposed(w: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of wᵀ: the per-step h @ W_hhᵀ runs ~20% faster on it than on the view."""
    return np.ascontiguousarray(w.T)


def _steps(T: int, reverse: bool) -> range:
    return range(T - 1, -1, -1) if reverse else range(T)


def _param_grads(ctx, x, dpre_x, dpre_h, hprev, w_ih, n_states=1):
    """dx, dW_ih, dW_hh, db_ih, db_hh from the per-step pre-activation gradients (T, N, G·H)
    of the input path (``dpre_x``) and the hidden path (``dpre_h``): each one matmul or sum."""
    # inputs are (x, h0[, c0], w_ih, w_hh, b_ih, b_hh[, w_hr]), absent biases passed as None
    need_x = ctx.needs_input_grad[0]
    need_w_ih, need_w_hh, need_b_ih, need_b_hh = ctx.needs_input_grad[1 + n_states:5 + n_states]
    T, N, I = x.shape
    dx2 = dpre_x.reshape(T * N, -1)
    dh2 = dpre_h.reshape(T * N, -1)
    gx = (dx2 @ w_ih).reshape(T, N, I) if need_x else None
    gw_ih = dx2.T @ x.reshape(T * N, I) if need_w_ih else None
    gw_hh = dh2.T @ hprev.reshape(T * N, -1) if need_w_hh else None
    gb_ih = dx2.sum(axis=0) if need_b_ih else None
    if not need_b_hh:
        gb_hh = None
    elif dpre_h is dpre_x and gb_ih is not None:  # both biases enter the same pre-activation
        gb_hh = gb_ih.copy()
    else:
        gb_hh = dh2.sum(axis=0)
    return gx, gw_ih, gw_hh, gb_ih, gb_hh


class RNNLayer(Function):
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu.

    Backward: δ_t = (∂L/∂h_t) ⊙ act'(h_t) with tanh' = 1 - h_t², relu' = [h_t > 0];
    ∂L/∂h_{t-1} += δ_t W_hh.
    """

    def forward(ctx, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh", reverse=False):
        T = x.shape[0]
        pre = _project(x, w_ih, b_ih, b_hh)
        out = np.empty(pre.shape, pre.dtype)
        hprev = np.empty(pre.shape, pre.dtype)
        h, w_hh_t = h0, _transposed(w_hh)
        for t in _steps(T, reverse):
            hprev[t] = h
            a = pre[t]
            a += h @ w_hh_t
            h = out[t]
            if nonlinearity == "tanh":
                np.tanh(a, out=h)
            else:
                np.maximum(a, 0, out=h)
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.out, ctx.hprev = x, w_ih, w_hh, out, hprev
        ctx.nonlinearity, ctx.reverse = nonlinearity, reverse
        return out, h.copy()

    def backward(ctx, gout, gh):
        out, w_hh = ctx.out, ctx.w_hh
        dpre = 1 - out * out if ctx.nonlinearity == "tanh" else (out > 0).astype(out.dtype)  # act'
        dh = gh.copy()
        for t in _steps(out.shape[0], not ctx.reverse):
            dh += gout[t]
            d = dpre[t]
            d *= dh
            dh = d @ w_hh
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _param_grads(ctx, ctx.x, dpre, dpre, ctx.hprev, ctx.w_ih)
        return gx, dh, gw_ih, gw_hh, gb_ih, gb_hh


class GRULayer(Function):
    """PyTorch's GRU, gates r, z, n:

        r = σ(W_ir x + b_ir + W_hr h + b_hr)        z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   h' = (1 - z) ⊙ n + z ⊙ h

    Backward with a = W_hn h + b_hn: δn = ∂h'(1-z)(1-n²), δz = ∂h'(h-n)z(1-z),
    δr = δn ⊙ a ⊙ r(1-r); the hidden path sees (δr, δz, δn ⊙ r), the input path (δr, δz, δn);
    ∂h = ∂h' ⊙ z + (δr, δz, δn ⊙ r) W_hh.
    """

    def forward(ctx, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
        T = x.shape[0]
        H = w_hh.shape[1]
        gates = _project(x, w_ih, b_ih)  # overwritten in place with r, z, n
        hn_part = np.empty(gates.shape[:2] + (H,), gates.dtype)
        hprev = np.empty_like(hn_part)
        out = np.empty_like(hn_part)
        h, w_hh_t = h0, _transposed(w_hh)
        for t in _steps(T, reverse):
            hprev[t] = h
            hp = h @ w_hh_t
            if b_hh is not None:
                hp += b_hh
            g = gates[t]
            rz = g[:, :2 * H]
            rz += hp[:, :2 * H]
            _sigmoid_(rz)
            hn_part[t] = hp[:, 2 * H:]
            n = g[:, 2 * H:]
            n += g[:, :H] * hn_part[t]
            np.tanh(n, out=n)
            h = out[t]
            np.subtract(hprev[t], n, out=h)
            h *= g[:, H:2 * H]
            h += n
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.gates, ctx.hn_part, ctx.hprev = x, w_ih, w_hh, gates, hn_part, hprev
        ctx.reverse = reverse
        return out, h.copy()

    def backward(ctx, gout, gh):
        gates, hprev, w_hh = ctx.gates, ctx.hprev, ctx.w_hh
        T, N, G = gates.shape
        H = G // 3
        r, z, n = (gates[..., k * H:(k + 1) * H] for k in range(3))
        # the local derivatives of every step at once; the loop only chains them
        dpre_x = np.empty_like(gates)  # first δr/δn, δz/∂h', δn/∂h', then the gradients
        np.multiply(ctx.hn_part, r * (1 - r), out=dpre_x[..., :H])
        np.multiply(hprev - n, z * (1 - z), out=dpre_x[..., H:2 * H])
        np.multiply(1 - z, 1 - n * n, out=dpre_x[..., 2 * H:])
        per_gate = dpre_x.reshape(T, N, 3, H)
        dpre_h = np.empty_like(gates)
        dh = gh.copy()
        for t in _steps(T, not ctx.reverse):
            dh += gout[t]
            per_gate[t, :, 1:] *= dh[:, None, :]
            per_gate[t, :, 0] *= per_gate[t, :, 2]
            dhp = dpre_h[t]
            dhp[:, :2 * H] = dpre_x[t, :, :2 * H]
            np.multiply(dpre_x[t, :, 2 * H:], r[t], out=dhp[:, 2 * H:])
            dh = dh * z[t] + dhp @ w_hh
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _param_grads(ctx, ctx.x, dpre_x, dpre_h, hprev, ctx.w_ih)
        return gx, dh, gw_ih, gw_hh, gb_ih, gb_hh


class LSTMLayer(Function):
    """PyTorch's LSTM, gates i, f, g, o (one (N, 4H) block per step):

        i, f, o = σ(·), g = tanh(·) of W_ih x + b_ih + W_hh h + b_hh
        c' = f ⊙ c + i ⊙ g        m' = o ⊙ tanh(c')        h' = m'  (or W_hr m' with a projection)

    Backward: ∂m' = ∂h' (or ∂h' W_hr, and ∂W_hr = Σ_t ∂h'_tᵀ m'_t in one matmul);
    ∂c' += ∂m' ⊙ o ⊙ (1 - tanh²c'); δi = ∂c' g i(1-i), δf = ∂c' c f(1-f),
    δg = ∂c' i (1-g²), δo = ∂m' tanh(c') o(1-o); ∂c = ∂c' ⊙ f, ∂h = δ W_hh.
    """

    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, reverse=False):
        T, N = x.shape[:2]
        H = c0.shape[-1]
        # the rows of the sigmoid gates (i, f, o) halved once, exactly (a power of two): one tanh over
        # the whole (N, 4H) block then gives tanh(z/2) for i, f, o and tanh(z) for g, and σ(z) = ½ tanh(z/2) + ½
        half = _sigmoid_rows_halved(4 * H, H, x.dtype)
        gates = _project(x, w_ih * half[:, None], *(None if b is None else b * half for b in (b_ih, b_hh)))
        cprev, tanh_c = np.empty((2, T, N, H), gates.dtype)
        m = np.empty((T, N, H), gates.dtype)  # o ⊙ tanh(c'): the output, before any projection
        out = m if w_hr is None else np.empty((T, N, w_hr.shape[0]), gates.dtype)
        hprev = np.empty_like(out)
        h, c, w_hh_t = h0, c0, _transposed(w_hh) * half
        for t in _steps(T, reverse):
            hprev[t], cprev[t] = h, c
            g = gates[t]
            g += h @ w_hh_t
            np.tanh(g, out=g)
            for sig in (g[:, :2 * H], g[:, 3 * H:]):  # ½ tanh(z/2) + ½ = σ(z)
                sig *= 0.5
                sig += 0.5
            c = g[:, H:2 * H] * c
            c += g[:, :H] * g[:, 2 * H:3 * H]
            np.tanh(c, out=tanh_c[t])
            np.multiply(g[:, 3 * H:], tanh_c[t], out=m[t])
            h = out[t]
            if w_hr is not None:
                np.matmul(m[t], w_hr.T, out=h)
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.w_hr, ctx.gates, ctx.m = x, w_ih, w_hh, w_hr, gates, m
        ctx.hprev, ctx.cprev, ctx.tanh_c, ctx.reverse = hprev, cprev, tanh_c, reverse
        return out, h.copy(), c

    def backward(ctx, gout, gh, gc):
        gates, w_hh, w_hr, tc = ctx.gates, ctx.w_hh, ctx.w_hr, ctx.tanh_c
        T, N, G = gates.shape
        H = G // 4
        i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
        # the local derivatives of every step at once; the loop only chains them
        dpre = np.empty_like(gates)  # first δi/∂c', δf/∂c', δg/∂c', δo/∂m', then the gradients
        np.multiply(g, i * (1 - i), out=dpre[..., :H])
        np.multiply(ctx.cprev, f * (1 - f), out=dpre[..., H:2 * H])
        np.multiply(i, 1 - g * g, out=dpre[..., 2 * H:3 * H])
        np.multiply(tc, o * (1 - o), out=dpre[..., 3 * H:])
        dtanh = o * (1 - tc * tc)  # ∂m'/∂c'
        per_gate = dpre.reshape(T, N, 4, H)
        dhs = None if w_hr is None else np.empty_like(gout)  # ∂h' of every step, for ∂W_hr
        dh, dc = gh.copy(), gc.copy()
        for t in _steps(T, not ctx.reverse):
            dh += gout[t]
            if w_hr is None:
                dm = dh
            else:
                dhs[t] = dh
                dm = dh @ w_hr
            dc += dm * dtanh[t]
            per_gate[t, :, :3] *= dc[:, None, :]
            per_gate[t, :, 3] *= dm
            dc *= f[t]
            dh = dpre[t] @ w_hh
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _param_grads(ctx, ctx.x, dpre, dpre, ctx.hprev, ctx.w_ih, n_states=2)
        gw_hr = None
        if w_hr is not None and ctx.needs_input_grad[7]:
            gw_hr = dhs.reshape(T * N, -1).T @ ctx.m.reshape(T * N, H)
        return gx, dh, dc, gw_ih, gw_hh, gb_ih, gb_hh, gw_hr


_LAYER = {"RNN_TANH": (RNNLayer, {"nonlinearity": "tanh"}), "RNN_RELU": (RNNLayer, {"nonlinearity": "relu"}),
          "GRU": (GRULayer, {}), "LSTM": (LSTMLayer, {})}


class RNNStack(Function):
    """A stack of recurrent layers (each one or two directions) as one graph node.

    Runs the per-layer, per-direction Functions above as kernels: layer l+1 reads the
    concatenated outputs of layer l (times its dropout mask); the backward walks the layers top
    down, splits the gradient between directions, calls each kernel's backward and sums the
    input gradients of the directions. Inputs: x (T, N, I), h0 [, c0] (L·D, N, H), then the
    weights of each (layer, direction) in PyTorch's order (W_ih, W_hh[, b_ih, b_hh][, W_hr]).
    Outputs: out (T, N, D·H), h_n [, c_n] (L·D, N, H) (with ``proj=True``, LSTM only: h and
    the outputs have W_hr's P features).
    """

    def forward(ctx, x, *arrays, mode, num_layers, bidirectional, bias, masks=None, proj=False):
        cls, opts = _LAYER[mode]
        n_states = 2 if mode == "LSTM" else 1
        states, params = arrays[:n_states], arrays[n_states:]
        per = (4 if bias else 2) + proj
        D = 2 if bidirectional else 1
        needs = getattr(ctx, "needs_input_grad", (False,) * (1 + len(arrays)))
        ctx.kernels, ctx.masks = [], masks
        finals: list[list] = [[] for _ in states]
        for layer in range(num_layers):
            outs = []
            for d in range(D):
                k = layer * D + d
                given = list(params[k * per:(k + 1) * per])
                given_needs = list(needs[1 + n_states + k * per:1 + n_states + (k + 1) * per])
                w = _kernel_slots(given, proj)
                sub = cls.__new__(cls)
                sub.needs_input_grad = ((needs[0] or layer > 0),) + (True,) * n_states + tuple(
                    False if n is None else n for n in _kernel_slots(given_needs, proj))
                out, *last = sub.forward(x, *(s[k] for s in states), *w, **opts, reverse=d == 1)
                outs.append(out)
                ctx.kernels.append(sub)
                for f, h in zip(finals, last):
                    f.append(h)
            x = outs[0] if D == 1 else np.concatenate(outs, axis=2)
            if masks is not None and layer < num_layers - 1:
                x = x * masks[layer]
        ctx.shape, ctx.proj = (num_layers, D, n_states, per), proj
        return (x, *(np.stack(f) for f in finals))

    def backward(ctx, gout, *gstates):
        num_layers, D, n_states, per = ctx.shape
        H = gout.shape[2] // D
        gstate_in = [np.empty_like(g) for g in gstates]
        gparams: list = [None] * (num_layers * D * per)
        g = gout
        for layer in range(num_layers - 1, -1, -1):
            if ctx.masks is not None and layer < num_layers - 1:
                g = g * ctx.masks[layer]
            gx = None
            for d in range(D):
                k = layer * D + d
                grads = ctx.kernels[k].backward(g[:, :, d * H:(d + 1) * H], *(s[k] for s in gstates))
                gx = grads[0] if gx is None else gx + grads[0]
                for s, gs in zip(gstate_in, grads[1:1 + n_states]):
                    s[k] = gs
                weights = grads[1 + n_states:]  # (W_ih, W_hh, b_ih, b_hh[, W_hr]) as the kernel orders them
                gparams[k * per:(k + 1) * per] = weights[:per - ctx.proj] + weights[4:4 + ctx.proj]
            g = gx
        return (g, *gstate_in, *gparams)


def _kernel_slots(given: list, proj: bool) -> list:
    """One (layer, direction)'s weights in PyTorch's order (W_ih, W_hh[, b_ih, b_hh][, W_hr]) laid
    out as the kernels take them: (W_ih, W_hh, b_ih, b_hh[, W_hr]), absent biases None."""
    if not proj:
        return given + [None] * (4 - len(given))
    return given[:-1] + [None] * (5 - len(given)) + given[-1:]


def rnn_stack(mode: str, x: Tensor, states: list, params: list, num_layers: int, bidirectional: bool,
              bias: bool, masks: list | None = None, proj: bool = False) -> tuple:
    """Stacked (bi)directional recurrent layers as one node; see :class:`RNNStack`.

    ``states`` is [h0] or [h0, c0] (L·D, N, H); ``params`` the flat weight list in PyTorch's order;
    ``masks`` the inter-layer dropout multipliers (already scaled by 1/(1-p)) or None; ``proj``
    (LSTM only) that each (layer, direction) ends with W_hr (P, H) and h0 is (L·D, N, P).
    Returns (out (T, N, D·H), h_n [, c_n]), H read P with a projection.
    """
    return RNNStack.apply(x, *states, *params, mode=mode, num_layers=num_layers,
                          bidirectional=bidirectional, bias=bias, masks=masks, proj=proj)


def rnn_tanh_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                   b_hh: Tensor | None = None, reverse: bool = False) -> tuple[Tensor, Tensor]:
    """One tanh RNN layer over x (T, N, I) from h0 (N, H): returns (out (T, N, H), h_T (N, H))."""
    return RNNLayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh", reverse=reverse)


def rnn_relu_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                   b_hh: Tensor | None = None, reverse: bool = False) -> tuple[Tensor, Tensor]:
    """One ReLU RNN layer over x (T, N, I) from h0 (N, H): returns (out (T, N, H), h_T (N, H))."""
    return RNNLayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity="relu", reverse=reverse)


def gru_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, reverse: bool = False) -> tuple[Tensor, Tensor]:
    """One GRU layer over x (T, N, I) from h0 (N, H): returns (out (T, N, H), h_T (N, H))."""
    return GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)


def lstm_layer(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
               b_hh: Tensor | None = None, reverse: bool = False,
               w_hr: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over x (T, N, I) from (h0, c0) (N, H): returns (out (T, N, H), h_T, c_T).
    With ``w_hr`` (P, H), PyTorch's projection: h_t = W_hr (o ⊙ tanh c_t), so h0, h_T and out
    have P features and ``w_hh`` is (4H, P)."""
    return LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse=reverse)
