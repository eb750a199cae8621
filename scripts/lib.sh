# Shared by scripts/app and scripts/test: system packages and the Rust toolchain check.

# Installs Debian packages that are missing (apt-get update first), as root or through sudo.
install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "==> apt-get update"
    $sudo apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# The workspace needs Rust 1.95 or later (edition 2024); Debian 12's own cargo is too old.
require_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo not found. Install Rust 1.95 or later with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
}

# System packages the build needs.
BUILD_PACKAGES=(build-essential pkg-config ca-certificates)
