#!/usr/bin/env bash
# A scripted learning check: trains one run and keeps its curve in results/<name>/.
#   scripts/learning_check.sh NAME [curlrl train overrides...]
# The run itself goes to runs/learning_checks/NAME (checkpoints are large); results/NAME/ receives eval.csv,
# train.csv, config.yaml, command.txt, a diagnostics PNG and info.txt (the run's command, commit, machine and date,
# then the wall time, the final evaluation and the random-action baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
shift
run_dir=runs/learning_checks/$name
out=results/$name
mkdir -p "$out"
start=$(date +%s)
build/curlrl train run_dir="$run_dir" "$@"
end=$(date +%s)
cp "$run_dir"/eval.csv "$run_dir"/train.csv "$run_dir"/config.yaml "$run_dir"/command.txt "$out"/
/usr/bin/python3 scripts/plot.py diagnostics "$run_dir" -o "$out"/diagnostics.png
{
  cat "$run_dir"/info.txt   # command, commit, machine, libtorch, date (written by curlrl train)
  echo "script: scripts/learning_check.sh $name $*"
  echo "wall_time_s: $((end - start))"
  echo "final eval: $(tail -n 1 "$out"/eval.csv)"
  # Training episodes before the first update (empty critic_loss) act uniformly at random: the random baseline.
  awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
           $col["critic_loss"] == "" { n++; s += $col["episode_return"]; if (n == 1 || $col["episode_return"] > m) m = $col["episode_return"] }
           END { if (n) printf "random-action episodes: %d, mean return %.1f, max %.1f\n", n, s / n, m }' "$out"/train.csv
} > "$out"/info.txt
cat "$out"/info.txt
