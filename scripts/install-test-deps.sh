#!/usr/bin/env bash
# Installs what the registry tests need, once (each step is skipped when already there):
# Debian's docker-registry (distribution 2.8.2: no referrers API, htpasswd auth), skopeo (pushes
# test images), htpasswd (bcrypt entries), tinyproxy (a real proxy), iproute2 and util-linux
# (private namespaces for the Docker Hub tests), oras-py (an independent client that attaches
# artifacts), strace (start-up) and ferro-oci-server (a registry with the native referrers API).
# Needs root for apt-get, as on the project's machines. Sourcing it also puts ferro on PATH.
set -euo pipefail

# Debian: distribution 2.8.2 (no referrers API, htpasswd auth), skopeo (pushes test images),
# htpasswd (bcrypt entries), python3 for oras-py.
need_apt=()
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_apt+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
# GNU time measures peak memory in the --node streaming test.
[ -x /usr/bin/time ] || need_apt+=(time)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
# The Docker Hub and proxy tests: private namespaces (unshare, ip, mount), a test CA
# (openssl) and a real proxy (tinyproxy).
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v tinyproxy >/dev/null 2>&1 || need_apt+=(tinyproxy)
# Real shells in a real terminal for the completion tests.
command -v zsh >/dev/null 2>&1 || need_apt+=(zsh)
command -v fish >/dev/null 2>&1 || need_apt+=(fish)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
# strace watches the binary's start-up (help::start_up_prepares_the_process_...).
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
# A man formatter for the man page tests; git names the commit in --version.
command -v groff >/dev/null 2>&1 || need_apt+=(groff-base)
command -v git >/dev/null 2>&1 || need_apt+=(git)
if [ "${#need_apt[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
# oras-py: an independent client that attaches artifacts the way the ecosystem does.
if ! python3 -c 'import oras' >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check oras==0.2.43 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages oras==0.2.43
fi
# ferro-oci-server: a registry with the native referrers API.
if ! command -v ferro-oci-server >/dev/null 2>&1 && [ ! -x /opt/ferro/bin/ferro-oci-server ]; then
    CARGO_TARGET_DIR=/tmp/ferro-target cargo install ferro-oci-server@1.0.0 --locked --root /opt/ferro
fi
export PATH="/opt/ferro/bin:$PATH"
docker-registry --version 2>/dev/null || true
skopeo --version
python3 -c 'import oras; print("oras-py", oras.__version__)'

