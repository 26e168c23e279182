# Sourced by intercept.bash. runc's create/run flags as parseCreateArgs reads them
# (src/runtime/command-args.ts, CREATE_FLAGS): Go's flag forms, stopping at "--" or the first
# positional; the test suite checks both agree on every form.

# Sets $bundle: the value of --bundle/-b, or "." when it is missing or empty.
create_bundle() {
  bundle=
  while (($# > 0)); do
    case $1 in
    -- | - | '' | [!-]*) break ;;
    -b=* | --b=* | -bundle=* | --bundle=*) bundle=${1#*=} ;;
    -b | --b | -bundle | --bundle)
      bundle=${2-}
      shift
      ;;
    -console-socket | --console-socket | -pid-file | --pid-file | -preserve-fds | --preserve-fds) shift ;;
    esac
    shift
  done
  [[ -n $bundle ]] || bundle=.
}
