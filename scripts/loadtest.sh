#!/usr/bin/env bash
# Load test: Herald (with Redis configured), nginx serving the very bytes
# Herald serves, and a few lines of Node serving them from memory, measured
# side by side in one run on loopback, with each server's rate, p99 and own
# CPU per request, and the ratios to nginx both of the medians and round by
# round. Installs nothing; prints what is missing. See
# docs/PERFORMANCE.md for the method and the latest figures.
#
# Environment (all optional):
#   ROUNDS=3         rounds of every scenario (median, min and max are printed)
#   DURATION=5       seconds of each wrk run
#   CONNS=64         wrk connections;  THREADS=2  wrk threads
#   HERALD_BIN=path  a prebuilt herald binary (default: built from this tree;
#                    not passed on to Herald, which would warn of an unknown
#                    HERALD_ variable)
#   HERALD_EXTRA="HERALD_KEY=value …"  extra configuration for Herald, e.g.
#                    HERALD_REDIS_LOCAL_CACHE=false to measure Redis alone
#   SCENARIOS="304 gzip br zstd identity burst"
#   SERVERS="herald nginx peer fiber fasthttp"   which servers to measure
#                    ("fiber" is a bare Fiber handler serving the same bytes
#                    from memory: the framework's own ceiling on this
#                    machine; "fasthttp" the same handler on fasthttp alone,
#                    without Fiber: the ceiling of any Go server on it)
#   ALT_BIN=path, ALT_EXTRA="HERALD_KEY=value …"   also run a second Herald
#                    ("alt": another binary, e.g. built from main, and/or
#                    other settings) in the same rounds, for before/after
#                    figures that the machine's drift cannot skew
#   PIN=1            every server on CPU 0 and wrk on CPU 1 (taskset), so that
#                    each server's rate measures its own cost per request
#                    rather than how the scheduler shares two cores with wrk;
#                    steadier for before/after, and nginx runs one worker
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
SCENARIOS=${SCENARIOS:-"304 gzip br zstd identity burst"}
SERVERS=${SERVERS:-"herald nginx peer fiber fasthttp"}
PIN=${PIN:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

missing=()
tools=(wrk nginx redis-server redis-cli node curl go)
[[ -z $PIN ]] || tools+=(taskset)
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "loadtest: missing: ${missing[*]}" >&2
	echo "On Debian or Ubuntu:  sudo apt-get update && sudo apt-get install -y wrk nginx redis-server redis-tools nodejs curl" >&2
	exit 2
fi
# SRV runs a server, WRK the load: pinned apart with PIN=1.
SRV=() WRK=(wrk)
if [[ -n $PIN ]]; then
	(($(nproc) >= 2)) || { echo "loadtest: PIN=1 needs two CPUs" >&2; exit 2; }
	SRV=(taskset -c 0) WRK=(taskset -c 1 wrk)
fi

WORK=$(mktemp -d /tmp/herald-loadtest.XXXXXX)
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK" # nginx workers run as another user
# Every step is bounded (wrk by -d, waits by a count, curl by --max-time),
# so the run ends in about (runs × DURATION) plus a minute of set-up.
curl() { command curl --max-time 10 "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "loadtest: $1 never answered" >&2; exit 1; }

# --- Herald, Redis -----------------------------------------------------
if [[ -z "${HERALD_BIN:-}" ]]; then
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/herald" ./cmd/herald)
	HERALD_BIN="$WORK/herald"
fi
(cd "$ROOT" && go run ./scripts/loadtest/seed -n 100 -out "$WORK/articles.json")

RPORT=$(free_port)
"${SRV[@]}" redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.05; done

HPORT=$(free_port)
herald_env=(HERALD_ADDR="127.0.0.1:$HPORT" HERALD_DATABASE_URL="sqlite:$WORK/herald.db"
	HERALD_REDIS_URL="redis://127.0.0.1:$RPORT/0" HERALD_API_TOKEN=loadtest HERALD_LOG_LEVEL=warn
	HERALD_BASE_URL=https://news.example.com)
# shellcheck disable=SC2206
herald_env+=(${HERALD_EXTRA:-})
env -u HERALD_BIN "${herald_env[@]}" "$HERALD_BIN" import "$WORK/articles.json" >/dev/null
"${SRV[@]}" env -u HERALD_BIN "${herald_env[@]}" "$HERALD_BIN" serve >"$WORK/herald.log" 2>&1 &
HPID=$!
PIDS+=($HPID)
H="http://127.0.0.1:$HPORT"
FEED="/feed.rss?limit=100"
wait_http "$H/healthz"

# The optional second Herald, on its own database and key prefix.
A=""
if [[ -n "${ALT_BIN:-}${ALT_EXTRA:-}" ]]; then
	APORT=$(free_port)
	alt_env=(HERALD_ADDR="127.0.0.1:$APORT" HERALD_DATABASE_URL="sqlite:$WORK/alt.db"
		HERALD_REDIS_URL="redis://127.0.0.1:$RPORT/0" HERALD_REDIS_PREFIX=alt HERALD_API_TOKEN=loadtest
		HERALD_LOG_LEVEL=warn HERALD_BASE_URL=https://news.example.com)
	# shellcheck disable=SC2206
	alt_env+=(${ALT_EXTRA:-})
	env -u HERALD_BIN "${alt_env[@]}" "${ALT_BIN:-$HERALD_BIN}" import "$WORK/articles.json" >/dev/null
	"${SRV[@]}" env -u HERALD_BIN "${alt_env[@]}" "${ALT_BIN:-$HERALD_BIN}" serve >"$WORK/alt.log" 2>&1 &
	APID=$!
	PIDS+=($APID)
	A="http://127.0.0.1:$APORT"
	wait_http "$A/healthz"
	curl -fs -o /dev/null -H 'Accept-Encoding: gzip' "$A$FEED"
	sleep 1 # its variants, if it makes any
	AETAG=$(curl -fsI "$A$FEED" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
	SERVERS+=" alt"
fi

# The bytes Herald serves: identity, and gzip once its variants are stored.
mkdir -p "$WORK/www"
curl -fs "$H$FEED" -o "$WORK/www/feed.rss"
for _ in $(seq 100); do
	curl -fs -H 'Accept-Encoding: gzip' -D "$WORK/gz.h" "$H$FEED" -o "$WORK/www/feed.rss.gz"
	grep -qi '^content-encoding: gzip' "$WORK/gz.h" && break
	sleep 0.05
done
grep -qi '^content-encoding: gzip' "$WORK/gz.h" || { echo "loadtest: Herald never served gzip" >&2; }
ETAG=$(curl -fsI "$H$FEED" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
touch -d '2026-01-01 00:00:00' "$WORK/www/feed.rss" "$WORK/www/feed.rss.gz"

# --- nginx -------------------------------------------------------------
NPORT=$(free_port)
cat >"$WORK/nginx.conf" <<EOF
worker_processes $([[ -n $PIN ]] && echo 1 || echo auto);
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s;
  types { application/rss+xml rss; }
  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/www;
    gzip_static on;
    location / { add_header Cache-Control "public, max-age=300"; }
  }
}
EOF
"${SRV[@]}" nginx -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' &
NGPID=$!
PIDS+=($NGPID)
N="http://127.0.0.1:$NPORT"
wait_http "$N/feed.rss"
NETAG=$(curl -fsI "$N/feed.rss" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')

# --- Node peer ---------------------------------------------------------
PPORT=$(free_port)
"${SRV[@]}" node "$ROOT/scripts/loadtest/peer.js" "$PPORT" "$WORK/www/feed.rss" "$ETAG" &
PEERPID=$!
PIDS+=($PEERPID)
P="http://127.0.0.1:$PPORT"
wait_http "$P/feed.rss"

# --- bare Fiber and bare fasthttp (scripts/loadtest/ref) ----------------
# start_floor CMD: builds scripts/loadtest/CMD and starts it on a free
# port; sets FLOOR_PID and FLOOR_URL.
start_floor() {
	local port
	port=$(free_port)
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/$1" "./scripts/loadtest/$1")
	"${SRV[@]}" "$WORK/$1" -addr "127.0.0.1:$port" -file "$WORK/www/feed.rss" -etag "$ETAG" &
	FLOOR_PID=$!
	PIDS+=($FLOOR_PID)
	FLOOR_URL="http://127.0.0.1:$port"
	wait_http "$FLOOR_URL/feed.rss"
}
start_floor fiberref
FIBPID=$FLOOR_PID F=$FLOOR_URL
start_floor fasthttpref
FHPID=$FLOOR_PID X=$FLOOR_URL

# Same bytes everywhere, or the comparison means nothing.
for url in "$N/feed.rss" "$P/feed.rss" "$F/feed.rss" "$X/feed.rss"; do
	cmp -s <(curl -fs "$url") "$WORK/www/feed.rss" || { echo "loadtest: $url serves other bytes than Herald" >&2; exit 1; }
	cmp -s <(curl -fs -H 'Accept-Encoding: gzip' "$url") "$WORK/www/feed.rss.gz" || { echo "loadtest: $url serves other gzip bytes" >&2; exit 1; }
done

# --- measuring ---------------------------------------------------------
redis_calls() { redis-cli -p "$RPORT" info commandstats | awk -F'[=,:]' '/^cmdstat_/{s+=$3} END{print s+0}'; }
vm() { awk -v k="$1:" '$1==k{print $2}' "/proc/${2:-$HPID}/status"; }
to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'; }
# cpu_ticks NAME: user+system clock ticks used so far by server NAME (nginx:
# its master and workers).
cpu_ticks() {
	local pids
	case $1 in
	herald) pids=$HPID ;;
	alt) pids=$APID ;;
	nginx) pids="$NGPID $(pgrep -P "$NGPID" | tr '\n' ' ')" ;;
	peer) pids=$PEERPID ;;
	fiber) pids=$FIBPID ;;
	fasthttp) pids=$FHPID ;;
	esac
	# shellcheck disable=SC2086
	for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done | awk '{s+=$14+$15} END{print s+0}'
}
TICK=$(getconf CLK_TCK)
stats() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "- - -"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f %.0f %.0f\n", m, a[1], a[NR] }'; }

# once NAME URL [headers…]: one wrk run, appended to NAME's samples. The
# servers of a scenario take turns round by round, so that a machine that
# drifts (a noisy neighbour, a frequency change) skews none of them alone.
declare -A SAMPLES P99S CMDS RPS P99 RCMD CPUS CPU
once() {
	local name=$1 url=$2
	shift 2
	[[ " $SERVERS " == *" ${name%%:*} "* ]] || return 0
	local hdr=() h before out reqs after t0 t1 cpu
	for h in "$@"; do hdr+=(-H "$h"); done
	before=$(redis_calls)
	t0=$(cpu_ticks "${name%%:*}")
	out=$("${WRK[@]}" -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "${hdr[@]}" "$url")
	after=$(redis_calls)
	t1=$(cpu_ticks "${name%%:*}")
	if ! grep -q '^Requests/sec' <<<"$out" || grep -q 'Non-2xx or 3xx' <<<"$out"; then
		echo "loadtest: bad wrk run for $name:"$'\n'"$out" >&2
		exit 1
	fi
	reqs=$(awk '/requests in/{print $1}' <<<"$out")
	SAMPLES[$name]+="$(awk '/^Requests\/sec/{print $2}' <<<"$out")"$'\n'
	P99S[$name]+="$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")"$'\n'
	# INFO itself is one command; the other servers send Redis nothing.
	CMDS[$name]+="$(awk -v c=$((after - before - 1)) -v r="$reqs" 'BEGIN{printf "%.3f", (c<0?0:c)/r}')"$'\n'
	RPS[$name]=$(printf '%s' "${SAMPLES[$name]}" | stats)
	P99[$name]=$(printf '%s' "${P99S[$name]}" | stats | awk '{print $1}')
	RCMD[$name]=$(printf '%s' "${CMDS[$name]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	# The server's own CPU (user and system) per request: steadier than
	# req/s when the machine drifts, and what a before/after changes.
	cpu=$(awk -v d=$((t1 - t0)) -v t="$TICK" -v r="$reqs" 'BEGIN{printf "%.2f", d/t*1e6/r}')
	CPUS[$name]+="$cpu"$'\n'
	CPU[$name]=$(printf '%s' "${CPUS[$name]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	if [[ $name == herald:* || $name == alt:* ]]; then
		local pid=$HPID
		[[ $name == herald:* ]] || pid=$APID
		echo "  $name  $(awk '/^Requests\/sec/{print $2}' <<<"$out") req/s  cpu $cpu µs/req  redis cmds/req ${RCMD[$name]}  VmRSS $(vm VmRSS "$pid") kB" >&2
	else
		echo "  $name  $(awk '/^Requests\/sec/{print $2}' <<<"$out") req/s  cpu $cpu µs/req" >&2
	fi
}

# scenario NAME: ROUNDS rounds of every server in turn.
scenario() {
	local s=$1 r
	for r in $(seq "$ROUNDS"); do
		case $s in
		304)
			once herald:304 "$H$FEED" "If-None-Match: $ETAG"
			[[ -z $A ]] || once alt:304 "$A$FEED" "If-None-Match: $AETAG"
			once nginx:304 "$N/feed.rss" "If-None-Match: $NETAG"
			once peer:304 "$P/feed.rss" "If-None-Match: $ETAG"
			once fiber:304 "$F/feed.rss" "If-None-Match: $ETAG"
			once fasthttp:304 "$X/feed.rss" "If-None-Match: $ETAG" ;;
		gzip)
			once herald:gzip "$H$FEED" "Accept-Encoding: gzip"
			[[ -z $A ]] || once alt:gzip "$A$FEED" "Accept-Encoding: gzip"
			once nginx:gzip "$N/feed.rss" "Accept-Encoding: gzip"
			once peer:gzip "$P/feed.rss" "Accept-Encoding: gzip"
			once fiber:gzip "$F/feed.rss" "Accept-Encoding: gzip"
			once fasthttp:gzip "$X/feed.rss" "Accept-Encoding: gzip" ;;
		br)
			once herald:br "$H$FEED" "Accept-Encoding: br"
			[[ -z $A ]] || once alt:br "$A$FEED" "Accept-Encoding: br" ;;
		zstd)
			once herald:zstd "$H$FEED" "Accept-Encoding: zstd"
			[[ -z $A ]] || once alt:zstd "$A$FEED" "Accept-Encoding: zstd" ;;
		identity)
			once herald:identity "$H$FEED"
			[[ -z $A ]] || once alt:identity "$A$FEED"
			once nginx:identity "$N/feed.rss"
			once peer:identity "$P/feed.rss"
			once fiber:identity "$F/feed.rss"
			once fasthttp:identity "$X/feed.rss" ;;
		esac
	done
}

# burst_round NAME URL ROUND: one round of the burst scenario on one Herald.
declare -A BURST MISS
burst_round() {
	local name=$1 url=$2 round=$3 newest r0 r1
	renders() { curl -fs "$url/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["feeds"]["renders"])'; }
	touch_article() {
		curl -fs -o /dev/null -X PATCH -H 'Authorization: Bearer loadtest' -H 'Content-Type: application/merge-patch+json' \
			-d "{\"summary\":\"Burst round $1\"}" "$url/api/v1/articles/$newest"
	}
	newest=$(curl -fs -H 'Authorization: Bearer loadtest' "$url/api/v1/articles?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["id"])')
	r0=$(renders)
	touch_article "$round"
	"${WRK[@]}" -t"$THREADS" -c"$CONNS" -d1s -H 'Accept-Encoding: gzip' "$url$FEED" >/dev/null
	r1=$(renders)
	BURST[$name]+="$((r1 - r0)) "
	# The burst's rendering is compressed in the background (tens of ms of
	# CPU): let that end, so the single miss is timed on a quiet server.
	sleep 0.5
	touch_article "$round-single"
	MISS[$name]+="$(curl -fs -o /dev/null -w '%{time_total}' -H 'Accept-Encoding: gzip' "$url$FEED" | awk '{printf "%.1f", $1*1000}') "
}

# The processor goes in the report: the same build's ratios differ
# between machines (docs/PERFORMANCE.md, seventh session).
cpu_model=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
echo "loadtest: $(nproc) CPUs${cpu_model:+ ($cpu_model)}${PIN:+ (servers pinned to CPU 0, wrk to CPU 1)}, wrk -t$THREADS -c$CONNS -d${DURATION}s, $ROUNDS rounds; feed $(stat -c %s "$WORK/www/feed.rss") bytes, gzip $(stat -c %s "$WORK/www/feed.rss.gz") bytes" >&2
for s in $SCENARIOS; do
	case $s in
	304 | gzip | br | zstd | identity) scenario "$s" ;;
	burst)
		# A write invalidates the feed, then CONNS clients ask for it at
		# once for a second: the process must render it once per round.
		# Then another write and a single request: the latency of a miss.
		# The second Herald, when there is one, takes its turn each round.
		for i in $(seq "$ROUNDS"); do
			burst_round herald "$H" "$i"
			[[ -z $A ]] || burst_round alt "$A" "$i"
		done
		for srv in herald alt; do
			[[ -n "${BURST[$srv]:-}" ]] || continue
			echo "  $srv:burst  renders per burst: ${BURST[$srv]}; single miss ms: ${MISS[$srv]}" >&2
		done ;;
	esac
done

# --- report ------------------------------------------------------------
ratio() { awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN{ if (a=="" || b=="" || b==0 || a=="-" || b=="-") print "-"; else printf "%.2f", a/b }'; }
printf '\n%-9s %-8s %22s %10s %11s %14s %9s %9s %9s\n' scenario server "req/s med (min–max)" "p99 ms" "cpu µs/req" "redis cmd/req" "÷ nginx" "÷ peer" "÷ fiber"
for s in 304 gzip br zstd identity; do
	[[ -n "${RPS[herald:$s]:-}" ]] || continue
	for srv in herald alt nginx peer fiber fasthttp; do
		k="$srv:$s"
		[[ -n "${RPS[$k]:-}" ]] || continue
		read -r med lo hi <<<"${RPS[$k]}"
		rn="" rp="" rf="" rc=""
		if [[ $srv == herald || $srv == alt ]]; then
			rn=$(ratio "${RPS[$k]}" "${RPS[nginx:$s]:-}")
			rp=$(ratio "${RPS[$k]}" "${RPS[peer:$s]:-}")
			rf=$(ratio "${RPS[$k]}" "${RPS[fiber:$s]:-}")
			rc=${RCMD[$k]}
		elif [[ $srv == fiber || $srv == fasthttp ]]; then
			rn=$(ratio "${RPS[$k]}" "${RPS[nginx:$s]:-}")
		fi
		printf '%-9s %-8s %22s %10s %11s %14s %9s %9s %9s\n' "$s" "$srv" "$med ($lo–$hi)" "${P99[$k]}" "${CPU[$k]}" "$rc" "$rn" "$rp" "$rf"
	done
done
# Ratios taken round by round (each round's runs follow one another, so a
# machine drifting between rounds moves both sides of a ratio alike), then
# their median and range: steadier than the ratio of the medians above.
per_round() {
	paste <(printf '%s' "${SAMPLES[$1]:-}") <(printf '%s' "${SAMPLES[$2]:-}") |
		awk -F'\t' '$1 != "" && $2 > 0 {print $1 / $2}' | sort -g |
		awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f (%.2f–%.2f)", m, a[1], a[NR] }'
}
if [[ -n "${RPS[herald:304]:-}${RPS[herald:gzip]:-}${RPS[herald:identity]:-}" ]]; then
	printf '\nper-round ratios, median (min–max):\n'
	for s in 304 gzip identity; do
		[[ -n "${RPS[herald:$s]:-}" ]] || continue
		printf '%-9s herald ÷ nginx %s   fiber ÷ nginx %s   fasthttp ÷ nginx %s' "$s" "$(per_round "herald:$s" "nginx:$s")" \
			"$(per_round "fiber:$s" "nginx:$s")" "$(per_round "fasthttp:$s" "nginx:$s")"
		[[ -z $A ]] || printf '   herald ÷ alt %s' "$(per_round "herald:$s" "alt:$s")"
		echo
	done
fi
for srv in herald alt; do
	[[ -n "${BURST[$srv]:-}" ]] || continue
	printf '\n%s: miss burst after a write (%s connections, 1 s): renders per round: %s\n' "$srv" "$CONNS" "${BURST[$srv]}"
	printf '%s: single miss after a write (store read + render, one request), ms per round: %s\n' "$srv" "${MISS[$srv]}"
done
if [[ -n $A ]]; then
	printf '\nherald ÷ alt (median req/s):'
	for s in 304 gzip br zstd identity; do
		[[ -n "${RPS[herald:$s]:-}" && -n "${RPS[alt:$s]:-}" ]] && printf ' %s %s' "$s" "$(ratio "${RPS[herald:$s]}" "${RPS[alt:$s]}")"
	done
	printf '\nherald ÷ alt (median cpu µs/req):'
	for s in 304 gzip br zstd identity; do
		[[ -n "${CPU[herald:$s]:-}" && -n "${CPU[alt:$s]:-}" ]] && printf ' %s %s' "$s" "$(ratio "${CPU[herald:$s]}" "${CPU[alt:$s]}")"
	done
	echo
fi
printf 'Herald peak RSS (VmHWM): %s kB; now (VmRSS): %s kB\n' "$(vm VmHWM)" "$(vm VmRSS)"
