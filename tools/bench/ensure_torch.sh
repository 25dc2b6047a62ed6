# Sourced by tools/bench/compare and compare_resnet.sh: makes sure the PyTorch side can run,
# installing Debian's python3-torch and libopenblas0-pthread (PyTorch's BLAS; without it torch
# falls back to the reference BLAS, about 25x slower) with apt-get when run as root.
ensure_torch() {
  local missing=()
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${missing[*]} with apt-get..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; }
  else
    echo "bench: the PyTorch side needs ${missing[*]} (apt-get install ${missing[*]}); run as root to install it" >&2
    exit 1
  fi
}
