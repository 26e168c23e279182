# Sourced by bin/cohort, bin/cohortd and bin/cohortctl: the one way cohort finds Node.js.
# Sets $node: $COHORT_NODE, else $1 (the config's "node"), else the usual places, else PATH.
# podman runs the runtime with no PATH at all, so absolute places come before PATH.
find_node() {
  for node in "${COHORT_NODE:-}" "${1:-}" /usr/local/bin/node /usr/bin/node /opt/node/bin/node; do
    [ -n "$node" ] && [ -x "$node" ] && return 0
  done
  node=$(command -v node 2>/dev/null) && [ -n "$node" ]
}
