#!/bin/sh
# Installs mcp-chat: picks the build for this machine, downloads it, checks it against the release's
# SHA256SUMS, and puts it in ~/.local/bin (or the folder given). Plain POSIX sh; needs curl or wget,
# and sha256sum or shasum.
#
#   curl -fsSL https://github.com/mcp-chat/mcp-chat/releases/latest/download/install.sh | sh
#   sh install.sh [--dir DIR] [--base-url URL] [--platform NAME]
#
# Environment: MCP_CHAT_INSTALL_DIR, MCP_CHAT_BASE_URL, MCP_CHAT_PLATFORM (the same as the options).
# Nothing is replaced until the new file is complete, verified and starts: it is downloaded into a
# temporary file in the target folder, then renamed over mcp-chat. docs/INSTALL.md has the details.
set -eu

base_url="${MCP_CHAT_BASE_URL:-https://github.com/mcp-chat/mcp-chat/releases/latest/download}"
dir="${MCP_CHAT_INSTALL_DIR:-${HOME:-}/.local/bin}"
platform="${MCP_CHAT_PLATFORM:-}"

die() {
  printf 'mcp-chat install: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: install.sh [--dir DIR] [--base-url URL] [--platform NAME]
  --dir DIR        where to put mcp-chat (default ~/.local/bin) [env MCP_CHAT_INSTALL_DIR]
  --base-url URL   the release folder holding SHA256SUMS and the binaries
                   (default https://github.com/mcp-chat/mcp-chat/releases/latest/download) [env MCP_CHAT_BASE_URL]
  --platform NAME  skip detection: linux-x64, linux-x64-musl, linux-arm64, darwin-x64, darwin-arm64,
                   windows-x64 [env MCP_CHAT_PLATFORM]
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dir | --base-url | --platform)
      if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi
      case "$1" in
        --dir) dir="$2" ;;
        --base-url) base_url="$2" ;;
        --platform) platform="$2" ;;
      esac
      shift 2
      ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --base-url=*) base_url="${1#*=}"; shift ;;
    --platform=*) platform="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ -n "$dir" ] || die "no folder to install into: set HOME, or give --dir DIR"
base_url="${base_url%/}"

# glibc or musl: a glibc system answers getconf GNU_LIBC_VERSION (a musl loader may be installed too).
is_musl() {
  getconf GNU_LIBC_VERSION >/dev/null 2>&1 && return 1
  ldd --version 2>&1 | grep -qi musl && return 0
  for loader in /lib/ld-musl-*.so.1; do
    [ -e "$loader" ] && return 0
  done
  return 1
}

detect_platform() {
  os="$(uname -s)"
  cpu="$(uname -m)"
  case "$os" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "no mcp-chat build for the operating system '$os' (there are: Linux, macOS, Windows). Build from source: docs/INSTALL.md" ;;
  esac
  case "$cpu" in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) die "no mcp-chat build for the CPU '$cpu' on $os (there are: x86_64, arm64). Build from source: docs/INSTALL.md" ;;
  esac
  # An x64 shell under Rosetta on an Apple silicon Mac: the arm64 build runs natively.
  if [ "$os" = darwin ] && [ "$cpu" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    cpu=arm64
  fi
  libc=""
  if [ "$os" = linux ] && is_musl; then libc="-musl"; fi
  case "$os-$cpu$libc" in
    linux-arm64-musl) die "no mcp-chat build for Linux on arm64 with musl (Alpine) yet. Build from source: docs/INSTALL.md" ;;
    windows-arm64) die "no mcp-chat build for Windows on arm64 yet; windows-x64 may run under emulation (--platform windows-x64)" ;;
  esac
  echo "$os-$cpu$libc"
}

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "needs curl or wget to download"
  fi
}

sha256_of() { # FILE
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 "$1" | sed 's/^.*= *//'
  else
    die "needs sha256sum, shasum or openssl to verify the download"
  fi
}

[ -n "$platform" ] || platform="$(detect_platform)"
case "$platform" in
  linux-x64 | linux-x64-musl | linux-arm64 | darwin-x64 | darwin-arm64) exe="" ;;
  windows-x64) exe=".exe" ;;
  *) die "unknown platform '$platform' (there are: linux-x64, linux-x64-musl, linux-arm64, darwin-x64, darwin-arm64, windows-x64)" ;;
esac
target="$dir/mcp-chat$exe"

mkdir -p "$dir" || die "cannot create the folder $dir"
# Both temporary files live next to the target, so the final rename stays on one file system.
sums="$(mktemp "$dir/.mcp-chat-SHA256SUMS.XXXXXX")" || die "cannot write in $dir"
download="$(mktemp "$dir/.mcp-chat-download.XXXXXX")" || die "cannot write in $dir"
trap 'rm -f "$sums" "$download"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fetch "$base_url/SHA256SUMS" "$sums" || die "could not download $base_url/SHA256SUMS; nothing was installed"
# The line for this platform: `HASH  mcp-chat-VERSION-PLATFORM[.exe]` (a `*` before the name is binary mode).
line="$(awk -v want="-$platform$exe" '{
  name = $2; sub(/^\*/, "", name)
  if (name ~ /^mcp-chat-/ && length(name) > length(want) && substr(name, length(name) - length(want) + 1) == want) print $1 " " name
}' "$sums")"
[ -n "$line" ] || die "the release at $base_url has no build for $platform; nothing was installed"
[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] || die "SHA256SUMS at $base_url names several builds for $platform; nothing was installed"
expected="${line%% *}"
name="${line#* }"

echo "mcp-chat install: downloading $name for $platform" >&2
fetch "$base_url/$name" "$download" || die "could not download $base_url/$name; nothing was installed"
actual="$(sha256_of "$download")"
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $name: SHA256SUMS says $expected, the download is $actual. The file is corrupt or was tampered with; nothing was installed"
fi
chmod 755 "$download"
# Windows runs a program by its .exe name only.
if [ -n "$exe" ]; then
  mv -f "$download" "$download$exe" || die "cannot write in $dir"
  download="$download$exe"
fi

# Try it before anything is replaced, where it is the build for this machine (not a --platform for another).
version=""
if [ "$(detect_platform 2>/dev/null || true)" = "$platform" ]; then
  hint=""
  [ "$platform" = linux-x64-musl ] && hint=" (on Alpine: apk add libstdc++ libgcc)"
  version="$("$download" --version 2>&1)" || die "$name does not start on this machine$hint: $version. Nothing was installed"
fi

mv -f "$download" "$target" || die "could not move the download to $target"
echo "Installed ${version:-$name} to $target"

case ":${PATH:-}:" in
  *":$dir:"*) command=mcp-chat ;;
  *)
    command="$target"
    echo "$dir is not on your PATH; add it with: export PATH=\"$dir:\$PATH\""
    ;;
esac
cat <<EOF
Start it (it serves http://127.0.0.1:8000/mcp; --help lists every option):
  $command
Print a client's configuration for it (claude-code, claude-desktop, codex, cursor or vscode):
  $command --print-config claude-code
EOF
