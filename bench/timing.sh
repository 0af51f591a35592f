# Timing helpers the whole-process benchmarks share (sourced, not run).
# `reps` (the caller's) is how many runs a median is taken over.

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# time_cmd CMD... -> seconds (wall), output discarded; a nonzero exit (2:
# findings, matches) is expected and ignored
time_cmd() {
  local s e
  s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}
runs() { local i; for ((i = 0; i < reps; i++)); do time_cmd "$@"; done | median; }
