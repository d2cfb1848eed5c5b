#!/usr/bin/env bash
# Chaos run: load on a built Herald with a throwaway Redis, while faults are
# injected on a timeline, and a writer posts articles and records every one
# the API acknowledged. At the end every acknowledged article is looked up.
#
# Timeline (seconds from the start of the load; CHAOS_SCALE stretches it):
#   5  kill -9 Redis              feeds are rendered from the store
#  10  Redis restarted (empty)    caching resumes once the breaker probes
#  15  Redis frozen (SIGSTOP)     calls hang until redis.timeout: the breaker opens
#  21  Redis thawed (SIGCONT)     caching resumes by itself
#  26  store write-locked 6s      writes get 503 + Retry-After, reads go on
#  34  SIGTERM Herald, restart    graceful: in-flight requests finish
#  40  kill -9 Herald, restart    acknowledged writes must survive
#  48  end
#
# Prints requests served, answers by status, socket errors (connections
# refused while Herald restarts), a probe's latency per phase, writes by
# outcome, and lost writes, which must be 0: the script exits 1 otherwise,
# or if a read got a 5xx.
#
# Needs: go, wrk, redis-server, sqlite3, curl. Settings: CHAOS_CONNS (32),
# CHAOS_THREADS (2), CHAOS_SCALE (1), CHAOS_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

missing=()
for tool in go wrk redis-server sqlite3 curl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "chaos: missing ${missing[*]}. Install the Debian packages with:" >&2
  echo "  apt-get update && apt-get install -y wrk redis-server sqlite3 curl" >&2
  exit 1
fi

CONNS=${CHAOS_CONNS:-32}
THREADS=${CHAOS_THREADS:-2}
SCALE=${CHAOS_SCALE:-1}
TOKEN="chaos-token-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d)
pids=()

cleanup() {
  exec 2>/dev/null # no "Killed" job notices for the processes stopped here
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -n "${herald_pid:-}" ]] && kill -9 "$herald_pid" 2>/dev/null || true
  [[ -n "${redis_pid:-}" ]] && kill -9 "$redis_pid" 2>/dev/null || true
  if [[ "${CHAOS_KEEP:-0}" == 1 ]]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
at() { awk -v s="$1" -v k="$SCALE" 'BEGIN { printf "%.1f", s*k }'; }
elapsed() { awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN{printf "%.1f", t1-t0}'; }
log() { local t; t=$(elapsed); printf '[%6ss] %s\n' "$t" "$*"; }
phase() { log "$*"; echo "$(elapsed) $*" >>"$work/phases.log"; }

echo "==> building herald"
go build -o "$work/herald" ./cmd/herald
HPORT=$(free_port); RPORT=$(free_port)
BASE="http://127.0.0.1:$HPORT"

start_redis() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --logfile "$work/redis.log" >/dev/null &
  redis_pid=$!
}

start_herald() {
  HERALD_API_TOKEN="$TOKEN" "$work/herald" serve -addr "127.0.0.1:$HPORT" \
    -database-url "sqlite:$work/data/herald.db" -redis.url "redis://127.0.0.1:$RPORT" \
    -redis.breaker-cooldown 1s -server.request-timeout 2s -server.shutdown-grace 10s \
    -api.rate-limit 0 -log.access=false >>"$work/herald.out" 2>>"$work/herald.log" &
  herald_pid=$!
  for _ in $(seq 200); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "chaos: herald did not start; its log:" >&2; tail -20 "$work/herald.log" >&2; exit 1
}

post() { # post TITLE CATEGORY: prints "STATUS ID"
  local out
  out=$(curl -sS -m 5 -o "$work/post.json" -w '%{http_code}' -X POST "$BASE/api/v1/articles" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"title\":\"$1\",\"categories\":[\"$2\"],\"tags\":[\"load\"],\"authors\":[{\"name\":\"Chaos Writer\"}]}" 2>/dev/null) || out=000
  local id=""
  [[ "$out" == 2* ]] && id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$work/post.json")
  echo "$out $id"
}

start_redis
start_herald
for i in $(seq 1 20); do post "Seed $i" "Chaos $([[ $((i % 2)) == 0 ]] && echo A || echo B)" >/dev/null; done

writer() {
  local i=0
  while [[ ! -e "$work/stop" ]]; do
    i=$((i + 1))
    post "Write $i" "Chaos A" >>"$work/writes.log"
    sleep 0.05
  done
}

probe() { # one feed request every 100ms, timed: the latency a reader sees
  while [[ ! -e "$work/stop" ]]; do
    echo "$(elapsed) $(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$BASE/feed.rss" 2>/dev/null || echo '000 5')" >>"$work/probe.log"
    sleep 0.1
  done
}

lock_store() { # hold the write lock, as another process would
  (echo "BEGIN IMMEDIATE;"; echo "UPDATE scopes SET revision = revision WHERE 0;"; sleep "$1"; echo "COMMIT;") \
    | sqlite3 "$work/data/herald.db" >/dev/null
}

TOTAL=$(awk -v k="$SCALE" 'BEGIN { printf "%d", 48*k }')
echo "==> load: wrk -t$THREADS -c$CONNS for ${TOTAL}s against $BASE; faults on the timeline"
t0=$(date +%s.%N)
echo "0.0 steady" >"$work/phases.log"
writer & pids+=($!)
probe & pids+=($!)
wrk -t"$THREADS" -c"$CONNS" -d"${TOTAL}s" --timeout 5s -s scripts/chaos.lua "$BASE" >"$work/wrk.out" 2>&1 & wrk_pid=$!

sleep "$(at 5)"; phase "redis killed";           kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
sleep "$(at 5)"; phase "redis restarted";        start_redis
sleep "$(at 5)"; phase "redis frozen";           kill -STOP "$redis_pid"
sleep "$(at 6)"; phase "redis thawed";           kill -CONT "$redis_pid"
sleep "$(at 5)"; phase "store write-locked";     lock_store "$(at 6)"; phase "store unlocked"
sleep "$(at 2)"; phase "herald SIGTERM+restart"; kill -TERM "$herald_pid"; wait "$herald_pid" && log "herald exited 0" || log "herald exited $?"
                 start_herald; log "herald restarted"
sleep "$(at 6)"; phase "herald kill -9+restart"; kill -9 "$herald_pid"; wait "$herald_pid" 2>/dev/null || true
                 start_herald; log "herald restarted"
wait "$wrk_pid" || true
touch "$work/stop"; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=()
log "load over"

echo "==> checking every acknowledged write"
acked=0; lost=0
while read -r status id; do
  [[ "$status" == 2* && -n "$id" ]] || continue
  acked=$((acked + 1))
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/articles/$id")
  [[ "$code" == 200 ]] || { lost=$((lost + 1)); echo "LOST: $id ($code)"; }
done <"$work/writes.log"
written=$(wc -l <"$work/writes.log")

echo
echo "==> results"
grep -E '^(requests|duration_s|socket_errors|latency_)' "$work/wrk.out" || { cat "$work/wrk.out"; exit 1; }
echo "reads by status:"
grep '^status ' "$work/wrk.out" | sort -k2n | awk '{ printf "  %s  %d\n", $2, $3 }'
echo "writes attempted: $written"
awk '{ n[$1]++ } END { for (s in n) printf "  %s  %d\n", (s == "000" ? "no answer" : s), n[s] }' "$work/writes.log" | sort
echo "writes acknowledged (2xx): $acked"
echo "lost writes: $lost"
echo "probe (GET /feed.rss every 100ms) by phase: requests, non-200, mean and max latency"
awk 'NR == FNR { start[NR] = $1; $1 = ""; name[NR] = substr($0, 2); n = NR; next }
     { p = 1; for (i = 1; i <= n; i++) if ($1 >= start[i]) p = i
       c[p]++; if ($2 != 200) bad[p]++; sum[p] += $3; if ($3 > mx[p]) mx[p] = $3 }
     END { for (i = 1; i <= n; i++) if (c[i]) printf "  %-24s %4d  %3d  %7.1fms  %7.1fms\n", name[i], c[i], bad[i], 1000 * sum[i] / c[i], 1000 * mx[i] }' \
  "$work/phases.log" "$work/probe.log"
echo "circuit breaker transitions (from the log):"
grep -oE 'redis circuit breaker (open|closed|half-open)' "$work/herald.log" | sort | uniq -c | sed 's/^ */  /'
echo "cache invalidations of writes that failed, and background retries that got through (from the log;"
echo "a later write's own invalidation of the same scopes settles them too, and usually comes first):"
grep -oE 'cache invalidation (failed after a committed write|retried after a failure)' "$work/herald.log" | sort | uniq -c | sed 's/^ */  /' || true
echo "resets after Redis came back without writes it had acknowledged (a restart empties it here):"
grep -oE 'redis lost writes' "$work/herald.log" | sort | uniq -c | sed 's/^ */  /' || true

read_5xx=$(awk '$1 == "status" && $2 >= 500 { s += $3 } END { print s + 0 }' "$work/wrk.out")
if ((lost > 0)); then echo "FAIL: $lost acknowledged writes are missing"; exit 1; fi
if ((read_5xx > 0)); then echo "FAIL: $read_5xx feed reads got a 5xx"; exit 1; fi
echo "OK: no acknowledged write lost, no feed read answered 5xx"
