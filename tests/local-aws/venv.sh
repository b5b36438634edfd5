# Sourced by `start` and `test`. Everything it prints goes to stderr: `start`
# promises a stdout holding nothing but the endpoint line.

# ensure_venv DIR: make DIR/.venv hold exactly DIR/requirements.txt.
# The hash of requirements.txt is stamped into the venv; a different hash (a
# changed pin) rebuilds it from scratch so no stale package lingers.
ensure_venv() {
  local dir=$1
  local venv="$dir/.venv" stamp="$dir/.venv/requirements.sha256" want
  want="$(sha256sum "$dir/requirements.txt" | cut -d' ' -f1)"

  # Two starts racing on a fresh checkout must not build the venv twice.
  exec 9<"$dir/requirements.txt"
  flock 9
  if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    # The code needs 3.11 (datetime.UTC); say so rather than fail mid-install.
    local version
    version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || version=none
    if [[ "$version" == none ]] || ! printf '3.11\n%s\n' "$version" | sort -V -C; then
      echo "local-aws: needs Python >= 3.11 as python3 (found: $version)" >&2
      return 1
    fi
    echo "local-aws: installing pinned packages into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      -r "$dir/requirements.txt" >&2
    echo "$want" >"$stamp"
  fi
  # Release the lock: the server started next must not hold it for its lifetime.
  exec 9<&-
}
