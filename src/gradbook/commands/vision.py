"""``gradbook priors``: SSD's default boxes per feature map and how well objects of given sizes match
them (the maths lives in :mod:`gradbook.vision`)."""
from __future__ import annotations

import json
from typing import Optional

import typer

_HELP = """Count SSD's priors (default boxes) per feature map and, with [bold]--object[/bold], how many
priors an object of each side (pixels, square) overlaps with IoU ≥ [bold]--iou[/bold].

Defaults are SSD300's configuration (8,732 priors). Lists are comma-separated; aspect ratios are
one comma list per map, maps separated by [bold];[/bold].

[bold]Examples[/bold]

  gradbook priors                                   # SSD300: priors per map
  gradbook priors --object 16,32,64,128             # best IoU and matched priors by object size
  gradbook priors --feature-maps 19,10 --image-size 300 --min-sizes 60,111 --max-sizes 111,162 \\
      --aspect-ratios "2,3;2,3"
  gradbook priors --json
"""


def _numbers(text: Optional[str], what: str, cast=float) -> Optional[list]:
    if text is None:
        return None
    try:
        vals = [cast(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise typer.BadParameter(f"{what} must be comma-separated numbers, got {text!r}") from None
    if not vals:
        raise typer.BadParameter(f"{what} is empty")
    return vals


def _ratios(text: Optional[str]) -> Optional[list]:
    if text is None:
        return None
    return [_numbers(part, "--aspect-ratios") if part.strip() else [] for part in text.split(";")]


def _objects(sides: list, image: float, n: int = 400, seed: int = 0):
    """``n`` square boxes of each side at uniform random positions inside the image (fractions)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for side in sides:
        s = min(side, image) / image
        lo = rng.uniform(0, 1 - s, (n, 2))
        yield side, np.concatenate([lo, lo + s], axis=1)


def register(app: typer.Typer) -> None:
    @app.command("priors", help=_HELP)
    def priors(
        feature_maps: Optional[str] = typer.Option(None, help="Feature map sizes, e.g. 38,19,10,5,3,1."),
        image_size: Optional[int] = typer.Option(None, help="Input side in pixels (SSD300: 300)."),
        min_sizes: Optional[str] = typer.Option(None, help="Smallest prior side per map, pixels."),
        max_sizes: Optional[str] = typer.Option(None, help="Larger square prior: √(min·max) per map, pixels."),
        aspect_ratios: Optional[str] = typer.Option(None, help="Ratios per map, maps separated by ';'."),
        steps: Optional[str] = typer.Option(None, help="Pixels between cell centres per map "
                                                       "(default image_size / map size, or SSD300's)."),
        objects: Optional[str] = typer.Option(None, "--object", help="Object sides in pixels to match."),
        iou: float = typer.Option(0.5, min=0.0, max=1.0, help="IoU for a prior to count as matched."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    ) -> None:
        import numpy as np
        from rich.console import Console
        from rich.table import Table

        from ..vision import SSD300, box_iou, priors_per_cell, ssd_priors

        given = {"feature_map_sizes": _numbers(feature_maps, "--feature-maps", int), "image_size": image_size,
                 "min_sizes": _numbers(min_sizes, "--min-sizes"), "max_sizes": _numbers(max_sizes, "--max-sizes"),
                 "aspect_ratios": _ratios(aspect_ratios), "steps": _numbers(steps, "--steps")}
        custom = any(v is not None for k, v in given.items() if k != "steps")
        cfg = {k: (v if v is not None else (None if custom and k == "steps" else SSD300[k]))
               for k, v in given.items()}
        try:
            boxes = ssd_priors(**cfg)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        image = cfg["image_size"]
        per_cell = priors_per_cell(cfg["aspect_ratios"])
        maps = np.repeat(np.arange(len(per_cell)), [f * f * k for f, k in zip(cfg["feature_map_sizes"], per_cell)])
        sides = (boxes[:, 2:] - boxes[:, :2]) * image
        rows = [{"map": f"{f}x{f}", "priors_per_cell": k, "priors": int((maps == m).sum()),
                 "smallest_px": float(sides[maps == m].min()), "largest_px": float(sides[maps == m].max())}
                for m, (f, k) in enumerate(zip(cfg["feature_map_sizes"], per_cell))]
        matched = []
        for side, objs in _objects(_numbers(objects, "--object") or [], image):
            overlap = box_iou(objs, boxes)
            matched.append({"side_px": side, "best_iou": float(overlap.max(1).mean()),
                            "matched": float((overlap >= iou).sum(1).mean()),
                            "any": float((overlap >= iou).any(1).mean())})
        if as_json:
            typer.echo(json.dumps({"priors": len(boxes), "maps": rows, "objects": matched}))
            return
        console = Console()
        t = Table(title=f"{len(boxes):,} priors on a {image} px input")
        for col in ("map", "priors per cell", "priors", "smallest side (px)", "largest side (px)"):
            t.add_column(col, justify="right")
        for r in rows:
            t.add_row(r["map"], str(r["priors_per_cell"]), f"{r['priors']:,}", f"{r['smallest_px']:.1f}",
                      f"{r['largest_px']:.1f}")
        console.print(t)
        if matched:
            t = Table(title=f"square objects at random positions (400 each), IoU ≥ {iou:g}")
            for col in ("side (px)", "mean best IoU", "matched priors per object", "share with any"):
                t.add_column(col, justify="right")
            for r in matched:
                t.add_row(f"{r['side_px']:g}", f"{r['best_iou']:.3f}", f"{r['matched']:.2f}", f"{r['any']:.0%}")
            console.print(t)
