# Sourced by setup.sh (and through it .ci/run): find a Python >= 3.12 and print its path.
# Tries python3.13, python3.12 and python3 on PATH (a pyenv shim without that version fails
# its check and is skipped), then the newest 3.12+ that pyenv has installed.
find_python() {
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare | grep -E '^3\.(1[2-9])' | sort -rV); do
      echo "$(pyenv root)/versions/$version/bin/python3"; return 0
    done
  fi
  return 1
}
