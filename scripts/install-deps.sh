#!/usr/bin/env bash
# Installs the system packages the agent's demo and tests run against, only when missing:
# ZooKeeper 3.8 (Java 17), Prometheus + promtool + Alertmanager, Chromium. Debian/Ubuntu, as root (or with sudo).
set -euo pipefail
need=()
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
# Headless browser for the status page's test and screenshot (driven by playwright-core, which downloads none).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The write canary's partition test drops one node's quorum traffic with iptables owner rules.
command -v iptables >/dev/null 2>&1 || need+=(iptables)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --no-install-recommends keeps Prometheus from pulling node-exporter and friends; nothing is started.
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
