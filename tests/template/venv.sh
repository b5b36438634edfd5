# Sourced by `lint` and `sam`: pinned Python tools in git-ignored venvs.

# venv DIR REQUIREMENTS: make DIR hold exactly REQUIREMENTS. The hash of the
# pins is stamped into the venv; a changed pin rebuilds it from scratch.
venv() {
  local dir="$1" pins="$2" stamp
  stamp="$(sha256sum "$pins" | cut -d' ' -f1)"
  [[ "$(cat "$dir/.stamp" 2>/dev/null)" == "$stamp" ]] && return
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    local sudo=; [[ "$(id -u)" == 0 ]] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  echo "installing $(grep -v '^#' "$pins" | tr '\n' ' ')into $dir" >&2
  python3 -m venv --clear "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$pins" >&2
  echo "$stamp" >"$dir/.stamp"
}
