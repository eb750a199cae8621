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

# The UI is built with the machine's Node.js (20 or later) and npm.
require_node() {
    if ! command -v npm >/dev/null 2>&1; then
        install_packages nodejs npm
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$major" -lt 20 ]; then
        echo "error: Node.js $major is too old for the UI build; install Node.js 20 or later." >&2
        exit 1
    fi
}

# Builds the UI into ui/dist, which the desktop app embeds.
build_ui() {
    echo "==> ui: npm ci && npm run build"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
}

# System packages the build needs: a C toolchain, WebKitGTK for the desktop app, and D-Bus for
# its key store (the Secret Service).
BUILD_PACKAGES=(build-essential pkg-config ca-certificates curl file
    libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
    fonts-noto-cjk)

# What the tests add: a virtual display and WebKit's WebDriver for the app's end-to-end suite,
# Chromium and poppler to turn printed documents into PDFs and read them back, and a D-Bus
# session with GNOME Keyring for the key store that remembers a passphrase (scripts/with-keyring),
# gdb to hold a thread inside SQLCipher's start-up (crates/casebook/tests/first_open.rs).
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver chromium poppler-utils faketime jq gdb
    dbus-daemon gnome-keyring postgresql)

# Installs a cargo subcommand from crates.io at an exact version (its own lock file), unless
# that version is already there. Optimised less than a release build (opt-level 1): these tools
# only pack files, and a fresh CI machine builds them in far less time.
install_cargo_tool() {
    local crate=$1 version=$2 subcommand=$3
    if ! cargo "$subcommand" --version 2>/dev/null | grep -qF "$version"; then
        echo "==> cargo install $crate $version"
        CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$crate" --version "=$version" --locked --quiet
    fi
}

# The packaging tools (scripts/package): the Tauri CLI at the version of the tauri crate in
# Cargo.lock (2.12), cargo-deb for the hub; dpkg-shlibdeps (dpkg-dev) and rpm's elfdeps find what
# the binaries link, so that the packages depend on exactly that.
TAURI_CLI_VERSION=2.12.4
CARGO_DEB_VERSION=3.6.2
PACKAGE_PACKAGES=(dpkg-dev rpm jq)

# What the package test adds (scripts/test-packages): lintian, a window to look for, and the
# desktop entry's validator.
PACKAGE_TEST_PACKAGES=(lintian xvfb xauth xdotool desktop-file-utils curl)
