#!/bin/bash
# bin/cohort's half for create, run, checkpoint and restore. A container whose bundle declares
# nothing for cohort is decided here with builtins, and runc runs at once. Anything else goes to
# the session host, over FIFOs under its dir, and runc still runs here, as the caller's child; with
# no host running, a one-off Node prepares bundles and refuses group members' checkpoints.
command=$1 position=$2 runc=$3 node=$4 host_dir=$5 criu_each=$6 home=$7 caller_shlvl=$8
shift 8
args=("$@")

# Becomes runc with the caller's argv and environment: bash's exec exports SHLVL, so a caller
# who had none gets env to take it out again.
exec_runc() {
  [[ -n $caller_shlvl ]] || exec /usr/bin/env -u SHLVL "$runc" "${args[@]}"
  exec "$runc" "${args[@]}"
}

fail() {
  printf 'cohort: %s\n' "$1" >&2
  exit "${2:-1}"
}

# A container in no group needs nothing from cohort, unless every container gets CRIU options.
if [[ ($command == create || $command == run) && $criu_each != 1 ]]; then
  . "$home/libexec/runc-args.bash"
  create_bundle "${args[@]:position}"
  # Unreadable: runc reports it in its own words.
  [[ -r $bundle/config.json ]] || exec_runc
  IFS= read -r -d '' spec <"$bundle/config.json"
  [[ $spec == *'"io.cohort.'* ]] || exec_runc
fi

# Waits for this call's reply line; fails closed if the host dies first.
await_reply() {
  while :; do
    if read -r -t 1 nonce verb rest <&"$rep"; then
      [[ $nonce == "$$" ]] && return 0
      continue
    fi
    kill -0 "$host" 2>/dev/null || fail "cohort's session host (pid $host) stopped during $command ${1-}; start it again (cohortd, or cohortd agent) and retry"
  done
}

# Runs runc as the caller's child with the hook's channel in its environment, forwarding signals.
run_runc() {
  local capture=$1 timeout=$2 child code sig
  shift 2
  export COHORT_SESSION_DIR=$channel COHORT_SESSION_PID=$host COHORT_HOOK_TIMEOUT=$timeout
  export COHORT_ACTIONS="$*"
  for sig in INT TERM HUP QUIT USR1 USR2 WINCH; do
    trap 'kill -'$sig' "$child" 2>/dev/null' "$sig"
  done
  # An explicit <&0: a background command would otherwise get /dev/null.
  if [[ $capture == 1 ]]; then
    "$runc" "${args[@]}" {rep}>&- {req}>&- <&0 2>"$channel/stderr" &
  else
    "$runc" "${args[@]}" {rep}>&- {req}>&- <&0 &
  fi
  child=$!
  wait "$child"
  code=$?
  # wait returns early when a trapped signal arrives; the child's own status comes after.
  while ((code > 128)) && kill -0 "$child" 2>/dev/null; do
    wait "$child"
    code=$?
  done
  trap - INT TERM HUP QUIT USR1 USR2 WINCH
  unset COHORT_SESSION_DIR COHORT_SESSION_PID COHORT_HOOK_TIMEOUT COHORT_ACTIONS
  if [[ $capture == 1 && -s $channel/stderr ]]; then
    IFS= read -r -d '' text <"$channel/stderr"
    printf '%s' "$text" >&2
  fi
  printf '@exited %s %s\n' "$$" "$code" >&"$req"
  await_reply "after runc exited $code"
}

# The session host's call: take a free channel, hand over the call, do as told.
host_call() {
  { read -r host <"$host_dir/pid"; } 2>/dev/null || return
  [[ $host =~ ^[1-9][0-9]*$ ]] && kill -0 "$host" 2>/dev/null || return
  local tries=0
  channel=
  while [[ -z $channel ]]; do
    set -C
    for candidate in "$host_dir"/channels/*; do
      # O_EXCL: of all front doors racing for this channel, one creates the claim.
      if { : >"$candidate/claim"; } 2>/dev/null; then
        channel=$candidate
        break
      fi
    done
    set +C
    [[ -n $channel ]] && break
    ((tries += 1))
    ((tries <= 100)) || fail "the session host (pid $host) gave no free channel in 5 s; is it overloaded?"
    [[ -n ${door-} ]] || exec {door}<>"$host_dir/door" {idle}<>"$host_dir/idle" ||
      fail "cannot open the session host's door in $host_dir"
    # Ask for more channels, then wait 50 ms on a FIFO no one writes: a sleep without starting one.
    printf '@more %s\n' "$$" >&"$door"
    read -r -t 0.05 -u "$idle" _
  done
  [[ -p $channel/request && -p $channel/reply ]] || fail "session channel $channel is not a pair of FIFOs"
  exec {rep}<>"$channel/reply" {req}<>"$channel/request"
  printf '%s\0' "$PWD" "${COHORT_CONFIG+1}" "${COHORT_CONFIG-}" "${args[@]}" >|"$channel/call"
  printf '@go %s\n' "$$" >&"$req"
  await_reply "before runc started"
  while :; do
    case $verb in
    exec)
      exec {rep}>&- {req}>&-
      exec_runc
      ;;
    exit)
      [[ -z $rest || $rest == [0-9]* ]] || fail "the session host answered \"$verb $rest\""
      local code=${rest%% *} say=
      [[ $rest == *' '* ]] && say=${rest#* }
      [[ -n $say ]] && printf '%b' "$say" >&2
      exit "$code"
      ;;
    run)
      # shellcheck disable=SC2086 # rest is "capture timeout actions...": split on purpose.
      run_runc $rest
      ;;
    *) fail "the session host answered \"$verb $rest\", which this front door does not know" ;;
    esac
  done
}

host_call

# No session host: a one-off Node decides (and refuses a group member's checkpoint or restore).
. "$home/libexec/find-node.sh"
find_node "$node" || fail "no Node.js found for \"$command\": set \"node\" in ${COHORT_CONFIG:-/etc/cohort/config.json} to the absolute path of Node.js 20+" 127
"$node" "$home/dist/bundle/runtime.mjs" "$@" || exit
exec_runc
