"""style-transfer: the random CNN rebuilt in torch from the extractor's filters; the shuffled images
checked (same tiles / same pixels, moved); every Gram and feature distance recomputed in torch; the
transfer and the two reconstructions replayed with torch.optim.LBFGS on the same losses; the
verdicts rederived from the numbers."""
import numpy as np
import torch
import torch.nn.functional as TF

from gradbook import handbook
from gradbook.handbook.entries import style_transfer as entry


def _torch_features(ext):
    convs = [m for m in ext.modules() if type(m).__name__ == "Conv2d"]
    weights = [(torch.from_numpy(c.weight.data.copy()), torch.from_numpy(c.bias.data.copy())) for c in convs]

    def features(x):
        h, out = (x - 0.5) / 0.25, {}
        for i, (w, b) in enumerate(weights):
            if i:
                h = TF.avg_pool2d(h, 2)
            h = torch.relu(TF.conv2d(h, w, b, padding=1))
            out[f"relu{i + 1}"] = h
        return out
    return features


def _gram(f):
    n, c, h, w = f.shape
    flat = f.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2)


def _replay(features, content, style, init, style_weight, tv_weight, content_layer, steps):
    """transfer() in torch: the same losses (Gatys' normalisation), L-BFGS with the same settings."""
    c_t, s_t = torch.from_numpy(content[None]), torch.from_numpy(style[None])
    with torch.no_grad():
        fc, fs = features(c_t), features(s_t)
    grams = {k: _gram(v) for k, v in fs.items()}
    x = torch.from_numpy(init[None].copy()).requires_grad_(True)

    def terms():
        f = features(x)
        content_l = 0.5 * ((f[content_layer] - fc[content_layer]) ** 2).sum()
        style_l = sum(((_gram(f[k]) - grams[k]) ** 2).sum() / (4 * f[k].shape[1] ** 2 * f[k][0, 0].numel() ** 2)
                      for k in grams) / len(grams)
        tv = (torch.diff(x, dim=2) ** 2).sum() + (torch.diff(x, dim=3) ** 2).sum()
        return content_l + style_weight * style_l + tv_weight * tv, style_weight * style_l

    opt = torch.optim.LBFGS([x], lr=1, max_iter=1, max_eval=25, history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = terms()[0]
        loss.backward()
        return loss
    start = terms()[1].item()
    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return start, terms()[1].item(), np.clip(x.detach().numpy()[0], 0, 1)


def test_style_transfer_recomputed_in_torch():
    r = handbook.run("style-transfer", quick=True)
    n = r.numbers
    content, style = entry.photos()
    tiles, pixels = entry.tile_shuffled(style), entry.pixel_shuffled(style)
    t = entry.TILE

    def cut(im):
        return sorted(im[:, i:i + t, j:j + t].tobytes() for i in range(0, entry.H, t) for j in range(0, entry.W, t))
    assert cut(tiles) == cut(style) and not np.array_equal(tiles, style)
    assert sorted(map(tuple, pixels.reshape(3, -1).T)) == sorted(map(tuple, style.reshape(3, -1).T))

    features = _torch_features(entry.extractor())
    with torch.no_grad():
        fs = features(torch.from_numpy(style[None]))
        for key, image in {"tiles": tiles, "pixels": pixels, "other": content}.items():
            fx = features(torch.from_numpy(image[None]))
            for layer in entry.LAYERS:
                want = ((_gram(fs[layer]) - _gram(fx[layer])).norm() / _gram(fs[layer]).norm()).item()
                assert np.isclose(n[f"gram_{key}_{layer}"], want, rtol=1e-4, atol=1e-6)
            rgb_s, rgb_x = style.reshape(3, -1).astype(np.float64), image.reshape(3, -1).astype(np.float64)
            g_s = rgb_s @ rgb_s.T
            assert np.isclose(n[f"gram_{key}_pixels"], np.linalg.norm(g_s - rgb_x @ rgb_x.T) / np.linalg.norm(g_s),
                              rtol=1e-4, atol=1e-6)
            want = ((fs["relu2"] - fx["relu2"]).norm() / fs["relu2"].norm()).item()
            assert np.isclose(n[f"content_{key}"], want, rtol=1e-4)

    steps = n["steps"]
    start, end, _ = _replay(features, content, style, content, entry.STYLE_WEIGHT, entry.TV_WEIGHT, "relu2", steps)
    assert np.isclose(n["style_start"], start, rtol=1e-4)
    assert abs(np.log(n["style_end"] / end)) < np.log(1.5)      # two L-BFGS runs in float32: same end, roughly
    noise = np.random.default_rng(0).random(content.shape).astype(np.float32)
    rmse = {}
    for layer in ("relu1", "relu3"):
        image = _replay(features, content, style, noise, 0.0, 0.0, layer, steps)[2]
        rmse[layer] = float(np.sqrt(np.mean((image - content) ** 2)))
    assert rmse["relu1"] < 0.02 and n["rmse_relu1"] < 0.02
    assert abs(rmse["relu3"] - n["rmse_relu3"]) < 0.3 * rmse["relu3"]

    deep = {k: np.mean([n[f"gram_{k}_{layer}"] for layer in entry.LAYERS]) for k in ("tiles", "pixels", "other")}
    tiles_by_depth = [n[f"gram_tiles_{layer}"] for layer in entry.LAYERS]
    expected = {
        "style-loss-falls": n["style_start"] / n["style_end"] > 2,
        "gram-ignores-layout": deep["tiles"] < 0.3 * deep["other"] and n["content_tiles"] > 0.5,
        "gram-beyond-colour": n["gram_pixels_pixels"] < 1e-5 and deep["pixels"] > 1.5 * deep["tiles"],
        "depth": n["rmse_relu3"] > 2 * n["rmse_relu1"] and tiles_by_depth == sorted(tiles_by_depth),
    }
    assert r.verdicts == {k: "confirmed" if v else "corrected" for k, v in expected.items()}
