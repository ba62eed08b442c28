#!/usr/bin/env python3
"""Tables 2, 3 and 5 of the paper next to idlab's runs, as Markdown (for docs/results.md).

usage: bench/paper_tables.py DIR [DIR ...]

Each DIR is an output folder of bench/reproduce.sh (DIR/<recipe>/seed<S>/summary.json and
metrics.jsonl). A recipe found in several folders is taken from the first that has it. Every
idlab cell is the mean over the seeds of the last evaluation (± the sample std over seeds when
there are two or more), R² in percent as the paper prints it; the steps and seeds of each row
are given beside it. Under each table, the default row at the step count of the shortened rows
(from the metrics.jsonl of the default runs) is the fair comparison for those rows.
"""
import json
import statistics
import sys
from pathlib import Path

# Paper numbers (paper-spec.md §5.1): R² in percent, MAE as is.
TABLE3 = [  # (rows, setting, recipe, paper R² z̃ → z)
    ("1, 5, 9, 11", "d=5, \\|C\\|=100, vMF κ=10", "table3-default", "99.8±0.00"),
    ("2", "d=10", "table3-d10", "97.2±0.01"),
    ("3", "d=20", "table3-d20", "82.1±0.02"),
    ("4", "\\|C\\|=10", "table3-k10", "97.5±0.03"),
    ("6", "\\|C\\|=1000", "table3-k1000", "99.8±0.00"),
    ("7", "\\|C\\|=10000", "table3-k10000", "99.8±0.00"),
    ("8", "κ=5", "table3-kappa5", "99.7±0.00"),
    ("10", "κ=50", "table3-kappa50", "65.5±0.09"),
    ("12", "Laplace(b=1)", "table3-laplace", "85.4±0.01"),
    ("13", "Normal(σ²=1)", "table3-normal", "99.6±0.00"),
]
# (rows, setting, recipe stem, paper: R²_o z, R²_o w, MAE_o z, MAE_o w, R²_a z, R²_a w)
TABLE2 = [
    ("1, 3, 7, 10, 12", "defaults", "table2-default",
     ["98.6±0.01", "99.9±0.00", "0.01±0.00", "0.00±0.00", "99.0±0.00", "99.9±0.00"]),
    ("2", "N=10⁵", "table2-n100000",
     ["98.2±0.01", "99.5±0.00", "0.00±0.00", "0.00±0.00", "99.7±0.00", "99.8±0.00"]),
    ("4", "d=10", "table2-d10",
     ["92.5±0.01", "99.6±0.00", "0.01±0.00", "0.00±0.00", "93.0±0.03", "99.6±0.00"]),
    ("5", "d=20", "table2-d20",
     ["70.8±0.02", "97.1±0.01", "0.03±0.00", "0.00±0.00", "81.9±0.01", "99.7±0.00"]),
    ("6", "\\|C\\|=10", "table2-k10",
     ["88.6±0.05", "85.7±0.15", "0.02±0.00", "0.00±0.00", "90.0±0.05", "99.0±0.03"]),
    ("8", "\\|C\\|=1000", "table2-k1000",
     ["99.3±0.00", "99.9±0.00", "0.00±0.00", "0.00±0.00", "99.2±0.00", "99.9±0.00"]),
    ("9", "κ=5", "table2-kappa5",
     ["98.6±0.01", "99.9±0.01", "0.01±0.00", "0.00±0.00", "99.0±0.00", "99.8±0.00"]),
    ("11", "κ=50", "table2-kappa50",
     ["45.0±0.06", "49.7±0.06", "0.30±0.00", "0.00±0.00", "72.5±0.03", "75.5±0.00"]),
    ("13", "Laplace(b=1)", "table2-laplace",
     ["85.2±0.01", "99.7±0.01", "0.01±0.00", "0.00±0.00", "85.4±0.00", "99.5±0.00"]),
    ("14", "Normal(σ²=1)", "table2-normal",
     ["98.7±0.00", "99.8±0.00", "0.01±0.00", "0.00±0.00", "98.6±0.00", "99.6±0.00"]),
]
TABLE5 = [
    ("Uniform", "table2-default",
     ["98.6±0.01", "99.9±0.01", "0.01±0.00", "0.00±0.00", "99.0±0.00", "99.9±0.00"]),
    ("Laplace", "table5-laplace",
     ["98.7±0.00", "99.5±0.00", "0.01±0.00", "0.00±0.00", "99.1±0.00", "99.8±0.00"]),
    ("Normal", "table5-normal",
     ["98.2±0.01", "99.2±0.01", "0.01±0.00", "0.00±0.00", "99.2±0.00", "99.8±0.00"]),
]
# The six DIET columns: (recipe suffix, metric, is an R²).
DIET_COLUMNS = [("-o", "linear_r2_o", True), ("-o", "head_r2_o", True), ("-o", "sv_mae", False),
                ("-o", "head_sv_mae", False), ("-a", "linear_r2", True), ("-a", "head_r2", True)]


class Runs:
    """The seeds of one recipe: last evaluations, evaluation curves, steps."""

    def __init__(self, folder):
        self.summaries, self.curves = [], []
        for seed_dir in sorted(folder.glob("seed*")):
            summary = seed_dir / "summary.json"
            if not summary.is_file():
                continue
            s = json.loads(summary.read_text())
            if "error" in s or s.get("status", "completed") != "completed":
                continue
            self.summaries.append(s)
            metrics = seed_dir / "metrics.jsonl"
            lines = metrics.read_text().splitlines() if metrics.is_file() else []
            self.curves.append([json.loads(line) for line in lines if line.strip()])

    def seeds(self):
        return len(self.summaries)

    def steps(self):
        return sorted({s["steps"] for s in self.summaries})

    def cell(self, metric, percent, at_step=None):
        if at_step is None:
            values = [s[metric] for s in self.summaries if metric in s]
        else:
            values = [e[metric] for curve in self.curves for e in curve
                      if e.get("step") == at_step and metric in e]
        if not values:
            return "—"
        scale = 100.0 if percent else 1.0
        mean = statistics.fmean(values) * scale
        text = f"{mean:.1f}" if percent else f"{mean:.3f}"
        if len(values) > 1:  # the paper prints the ± of R² on the 0-1 scale
            text += f"±{statistics.stdev(values):.{2 if percent else 3}f}"
        return text

    def budget(self):
        if not self.summaries:
            return "not run"
        steps = "/".join(f"{n // 1000}k" if n % 1000 == 0 else str(n) for n in self.steps())
        return f"{self.seeds()} seed{'s' if self.seeds() > 1 else ''}, {steps} steps"


def find(dirs, recipe):
    for d in dirs:
        runs = Runs(d / recipe)
        if runs.seeds():
            return runs
    return Runs(Path("/nonexistent"))


def short_steps(all_runs, default_recipes):
    """The step counts of the rows that ran shorter than the defaults."""
    full = {n for r in default_recipes for n in all_runs[r].steps()}
    return sorted({n for name, runs in all_runs.items() if name not in default_recipes
                   for n in runs.steps() if n not in full})


def table3(dirs):
    runs = {recipe: find(dirs, recipe) for _, _, recipe, _ in TABLE3}
    out = ["| row | setting | paper (5 seeds, 50k) | idlab | idlab run |", "|---|---|---|---|---|"]
    for rows, setting, recipe, paper in TABLE3:
        r = runs[recipe]
        out.append(f"| {rows} | {setting} | {paper} | {r.cell('linear_r2', True)} | "
                   f"`{recipe}`, {r.budget()} |")
    for step in short_steps(runs, {"table3-default"}):
        out.append("")
        out.append(f"Default row at step {step:,}: "
                   f"{runs['table3-default'].cell('linear_r2', True, step)}.")
    return "\n".join(out)


def diet_cells(dirs, stem, at_step=None):
    cells, budgets = [], {}
    for suffix, metric, percent in DIET_COLUMNS:
        r = find(dirs, stem + suffix)
        cells.append(r.cell(metric, percent, at_step))
        budgets[suffix] = r.budget()
    return cells, budgets


def diet_table(dirs, rows, with_row_number):
    head = ["R²_o z̃→z", "R²_o w→v", "MAE_o z̃→z", "MAE_o w→v", "R²_a z̃→z", "R²_a w→v"]
    lead = ["row", "setting"] if with_row_number else ["p(v_c)"]
    out = ["| " + " | ".join(lead + [h + " paper / idlab" for h in head] + ["idlab runs"]) + " |",
           "|" + "---|" * (len(lead) + len(head) + 1)]
    for row in rows:
        label = list(row[:-2])
        stem, paper = row[-2], row[-1]
        cells, budgets = diet_cells(dirs, stem)
        pairs = [f"{p} / {c}" for p, c in zip(paper, cells)]
        runs = f"`-o`: {budgets['-o']}; `-a`: {budgets['-a']}"
        out.append("| " + " | ".join(label + pairs + [runs]) + " |")
    return out


def table2(dirs):
    out = diet_table(dirs, TABLE2, True)
    all_runs = {stem + s: find(dirs, stem + s) for _, _, stem, _ in TABLE2 for s in ("-o", "-a")}
    for step in short_steps(all_runs, {"table2-default-o", "table2-default-a"}):
        cells, _ = diet_cells(dirs, "table2-default", step)
        out += ["", f"Default row at step {step:,} (same columns): " + ", ".join(cells) + "."]
    return "\n".join(out)


def table5(dirs):
    return "\n".join(diet_table(dirs, TABLE5, False))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    dirs = [Path(a) for a in argv[1:]]
    print("### Table 3\n\n" + table3(dirs) + "\n\n### Table 2\n\n" + table2(dirs) +
          "\n\n### Table 5\n\n" + table5(dirs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
