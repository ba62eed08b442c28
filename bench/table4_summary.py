#!/usr/bin/env python3
"""Table 4 of the paper next to the runs of bench/table4.sh (standard library only).

usage: bench/table4_summary.py OUT_DIR

For each run OUT_DIR/<dataset>-<column>/seed<S>/:
  x        the host's baseline evaluation (summary.json "baseline": features = raw pixels);
           without x runs, the baselines of the MLP runs (every run of a dataset and seed
           computes the same one), else of the CNN runs;
  mlp/cnn  the evaluation of best validation accuracy: summary.json "best" when the run kept
           one (train.keep_best), else the evaluation with the highest "accuracy" in
           metrics.jsonl (the first of equal ones), which is the same choice.
Prints, per Table 4 row, the paper's mean ± std next to idlab's over the seeds found:
pearson_val (the reference's protocol: readout fitted on train, scored on val) and
pearson_test (the same readout on the test split, which nothing else used). Also the epoch
(step) chosen and the validation accuracy there.
"""
import json
import math
import os
import sys

# dataset: [(row label, factor field, paper x, paper MLP, paper CNN)], from paper-spec.md §5.2
PAPER = {
    "dsprites": [("category", "shape", "0.26±0.00", "0.94±0.01", "1.00±0.00"),
                 ("scale", "scale", "0.62±0.00", "0.98±0.00", "0.92±0.05"),
                 ("posX", "posX", "0.92±0.00", "0.97±0.00", "0.99±0.00"),
                 ("posY", "posY", "0.92±0.00", "0.97±0.00", "0.99±0.00")],
    "shapes3d": [("category", "objType", "0.42±0.00", "1.00±0.00", "1.00±0.00"),
                 ("objSize", "objSize", "0.21±0.00", "0.89±0.01", "0.99±0.00"),
                 ("objAzimuth", "objAzimuth", "0.04±0.00", "0.85±0.02", "0.93±0.01")],
    "mpi3d": [("category", "objShape", "0.03±0.00", "0.71±0.01", "0.97±0.00"),
              ("posX", "posX", "0.28±0.00", "0.76±0.01", "0.90±0.01"),
              ("posY", "posY", "0.46±0.00", "0.76±0.01", "0.84±0.01")],
    "mpi3d-real": [("category", "objShape", "0.19±0.00", "0.88±0.01", "0.98±0.00"),
                   ("posX", "posX", "0.14±0.00", "0.74±0.01", "0.83±0.01"),
                   ("posY", "posY", "0.44±0.00", "0.54±0.01", "0.71±0.02")],
    "cars3d": [("category", "object_type", "0.05±0.00", "0.63±0.11", "0.77±0.02"),
               ("elevation", "elevation", "0.15±0.00", "0.87±0.03", "0.78±0.02")],
    "smallnorb": [("category", "category", "0.22±0.00", "0.94±0.01", "1.00±0.00"),
                  ("elevation", "elevation", "0.15±0.00", "0.83±0.01", "0.79±0.01")],
}
PAPER["dsprites-like"] = PAPER["dsprites"]
TITLE = {"dsprites": "dSprites", "dsprites-like": "dSprites-like (procedural stand-in; paper: dSprites)",
         "shapes3d": "Shapes 3D", "mpi3d": "MPI 3D", "mpi3d-real": "MPI 3D real", "cars3d": "Cars 3D",
         "smallnorb": "smallNORB"}
COLUMNS = ["x", "mlp", "cnn"]


def chosen_values(run_dir, column):
    """The values Table 4 reports for one run, and the step they come from (None: no run)."""
    path = os.path.join(run_dir, "summary.json")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        summary = json.load(f)
    if "error" in summary:
        return None, None
    if column == "x":
        return summary.get("baseline", {}), 0
    if "best" in summary:
        best = dict(summary["best"])
        return best, best.get("step")
    best, best_step = None, None
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if "accuracy" in e and (best is None or e["accuracy"] > best["accuracy"]):
                best, best_step = e, e.get("step")
    return best, best_step


def mean_std(values):
    if not values:
        return "—"
    m = sum(values) / len(values)
    s = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return f"{m:.2f}±{s:.2f}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out = sys.argv[1]
    for dataset, rows in PAPER.items():
        runs = {}
        for column in COLUMNS:
            base = os.path.join(out, f"{dataset}-{column}")
            runs[column] = []
            if os.path.isdir(base):
                for seed in sorted(os.listdir(base)):
                    values, step = chosen_values(os.path.join(base, seed), column)
                    if values is not None:
                        runs[column].append((seed, values, step))
        if not any(runs.values()):
            continue
        x_source = "x runs"
        if not runs["x"]:
            for column in ("mlp", "cnn"):
                base = os.path.join(out, f"{dataset}-{column}")
                found = [(seed, *chosen_values(os.path.join(base, seed), "x")) for seed in
                         (sorted(os.listdir(base)) if os.path.isdir(base) else [])]
                runs["x"] = [(seed, v, step) for seed, v, step in found if v]
                if runs["x"]:
                    x_source = f"the baselines of the {column.upper()} runs"
                    break
        print(f"\n{TITLE[dataset]} (seeds: " +
              ", ".join(f"{c} {len(runs[c])}" for c in COLUMNS) + f"; x from {x_source})\n")
        print("| latent | paper x | idlab x (val / test) | paper MLP | idlab MLP (val / test) "
              "| paper CNN | idlab CNN (val / test) |")
        print("|---|---|---|---|---|---|---|")
        for label, field, *paper in rows:
            cells = [label]
            for column, paper_value in zip(COLUMNS, paper):
                val = [v[f"pearson_val_{field}"] for _, v, _ in runs[column] if f"pearson_val_{field}" in v]
                test = [v[f"pearson_test_{field}"] for _, v, _ in runs[column] if f"pearson_test_{field}" in v]
                cells += [paper_value, f"{mean_std(val)} / {mean_std(test)}"]
            print("| " + " | ".join(cells) + " |")
        for column in ("mlp", "cnn"):
            for seed, values, step in runs[column]:
                acc = values.get("accuracy")
                acc_text = f"{acc:.4f}" if acc is not None else "—"
                print(f"\n{column} {seed}: chosen step {step}, validation accuracy {acc_text}", end="")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
