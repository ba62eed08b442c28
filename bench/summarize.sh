#!/usr/bin/env bash
# Mean ± sample std over seeds of every metric in the summary.json files under OUT_DIR
# (as written by bench/reproduce.sh), one Markdown row per recipe. Values are printed as in the
# paper: R² and MCC-like scores in percent, sv_mae as is.
# usage: bench/summarize.sh OUT_DIR
set -euo pipefail
out=${1:?usage: bench/summarize.sh OUT_DIR}
for dir in "$out"/*/; do
  name=$(basename "$dir")
  files=("$dir"seed*/summary.json)
  [ -e "${files[0]}" ] || continue
  # Flat "key": number pairs of the top level; the "baseline" object is skipped.
  cat "${files[@]}" | sed 's/"baseline": {[^}]*}//' | grep -o '"[a-z_0-9]*": -\?[0-9][0-9.eE+-]*' |
    awk -v name="$name" -v n="${#files[@]}" '
      { gsub(/[":]/, "", $1); key = $1; v = $2 + 0;
        if (!(key in sum)) order[++k] = key;
        sum[key] += v; sq[key] += v * v; cnt[key]++ }
      END {
        line = "| " name " | " n " |";
        for (i = 1; i <= k; i++) {
          key = order[i];
          if (key ~ /^(seconds|train_seconds|failed_step)$/) continue;
          m = sum[key] / cnt[key];
          var = cnt[key] > 1 ? (sq[key] - cnt[key] * m * m) / (cnt[key] - 1) : 0;
          s = var > 0 ? sqrt(var) : 0;
          if (key ~ /(r2|mcc|accuracy)/) line = line sprintf(" %s %.1f±%.2f |", key, 100 * m, s);
          else if (key ~ /sv_mae/) line = line sprintf(" %s %.3f±%.3f |", key, m, s);
          else if (key == "steps" || key == "steps_per_second") line = line sprintf(" %s %.0f |", key, m);
          else line = line sprintf(" %s %.4g |", key, m);
        }
        print line
      }'
done
