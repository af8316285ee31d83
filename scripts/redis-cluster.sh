#!/usr/bin/env bash
# A local Redis Cluster for the tests: six nodes (three masters, a replica
# each) on ports 7000-7005, data and logs under target/redis-cluster/.
#
#   scripts/redis-cluster.sh start    start what is not running, create the cluster once
#   scripts/redis-cluster.sh stop     stop every node and forget the cluster
#   scripts/redis-cluster.sh status   exit 0 when the cluster answers with state ok
#   scripts/redis-cluster.sh nodes    print REDIS_CLUSTER_NODES for it
#
# `start` is idempotent and safe to run from several processes at once (a
# node killed by a test is started again and rejoins as a replica). The
# nodes do not keep the lock's descriptor, so a later `start` does not wait.
# REDIS_CLUSTER_PORT (default 7000) moves the six ports.
set -euo pipefail
cd "$(dirname "$0")/.."

first_port=${REDIS_CLUSTER_PORT:-7000}
ports=$(seq "$first_port" $((first_port + 5)))
home="$PWD/target/redis-cluster"

# A cluster already running keeps its own directory, even when it was
# started from another checkout: a node restarted elsewhere would not find
# its nodes.conf and would start a cluster of its own.
for port in $ports; do
    dir=$(redis-cli -p "$port" config get dir 2>/dev/null | tail -n 1) || continue
    if [ -n "$dir" ] && [ -f "$dir/nodes.conf" ]; then
        home=$(dirname "$dir")
        break
    fi
done

answers() {
    redis-cli -p "$1" ping >/dev/null 2>&1
}

# Healthy: every slot served, three replicas, and each replica in sync with
# its master (a replica that never synced would hold none of the data and
# would refuse to take over).
healthy() {
    local info port
    info=$(redis-cli -p "$first_port" cluster info 2>/dev/null) || return 1
    grep -q '^cluster_state:ok' <<<"$info" && grep -q '^cluster_known_nodes:6' <<<"$info" &&
        [ "$(redis-cli -p "$first_port" cluster nodes | grep -c ' slave ')" = 3 ] || return 1
    for port in $ports; do
        info=$(redis-cli -p "$port" info replication 2>/dev/null) || return 1
        if grep -q '^role:slave' <<<"$info"; then
            grep -q '^master_link_status:up' <<<"$info" || return 1
        fi
    done
}

nodes() {
    local list=()
    for port in $ports; do
        list+=("redis://127.0.0.1:$port")
    done
    (IFS=,; echo "${list[*]}")
}

start_node() {
    local port=$1 dir="$home/$1"
    mkdir -p "$dir"
    # A node timeout of two seconds makes a replica take over quickly; a
    # validity factor of 0 lets it take over however long its link was down.
    redis-server --port "$port" --dir "$dir" --daemonize yes \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
        --cluster-replica-validity-factor 0 \
        --save "" --appendonly no --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" 9>&-
}

start() {
    mkdir -p "$home"
    exec 9>"$home/lock"
    flock 9
    for port in $ports; do
        answers "$port" || start_node "$port"
    done
    for port in $ports; do
        for _ in $(seq 1 100); do
            answers "$port" && break
            sleep 0.05
        done
        answers "$port" || { echo "the Redis node on port $port did not start; see $home/$port/redis.log" >&2; exit 1; }
    done
    # Created once: a restarted node finds its cluster in nodes.conf.
    if ! redis-cli -p "$first_port" cluster info | grep -q '^cluster_known_nodes:6'; then
        local addresses=()
        for port in $ports; do
            addresses+=("127.0.0.1:$port")
        done
        redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$home/create.log"
    fi
    for _ in $(seq 1 600); do
        healthy && return 0
        sleep 0.05
    done
    echo "the cluster on ports $first_port-$((first_port + 5)) is not healthy:" >&2
    redis-cli -p "$first_port" cluster info >&2 || true
    exit 1
}

stop() {
    for port in $ports; do
        redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    done
    rm -rf "$home"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) healthy ;;
    nodes) nodes ;;
    *) echo "usage: $0 start|stop|status|nodes" >&2; exit 2 ;;
esac
