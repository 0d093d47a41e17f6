#!/usr/bin/env bash
# Checks that the Dockerfile's runtime stage installs every shared library the release `gateway` binary
# links, without Docker: `ldd` on the binary, `dpkg -S` for each library's Debian package, and the package
# list of the runtime stage's `apt-get install` line.
#
#   check-runtime-libraries.sh [BINARY]
#
# Without BINARY it builds `swift build -c release --product gateway` and checks that. Run it on a Debian
# machine of the same release as the runtime image (bookworm), with the build's -dev packages installed.
#
# A library passes when its package is
#   - libc6 (glibc, in every image),
#   - installed by name by the runtime stage,
#   - part of debian:bookworm-slim itself (BASE_PACKAGES: apt needs them, so the slim image has them),
#   - or, for a library the binary does not link directly, a dependency that apt installs with one of the
#     runtime stage's packages.
# Swift runtime libraries (from the toolchain, not from Debian) pass only when the build stage links them
# statically (`--static-swift-stdlib`).
# Environment: DOCKERFILE (default: the Dockerfile next to this script).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dockerfile="${DOCKERFILE:-$here/Dockerfile}"
BASE_PACKAGES=(libgcc-s1 libstdc++6)

fail() { echo "error: $*" >&2; exit 1; }

for tool in ldd readelf dpkg-query apt-cache awk; do
    command -v "$tool" >/dev/null || fail "$tool is required (packages: libc-bin, binutils, dpkg, apt)"
done
[ -f "$dockerfile" ] || fail "no Dockerfile at $dockerfile"

# --- The binary -------------------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
    binary="$1"
else
    echo "Building the release binary (swift build -c release --product gateway)..."
    (cd "$root" && SWIFT_DETERMINISTIC_HASHING=1 swift build -c release --product gateway)
    binary="$(cd "$root" && swift build -c release --show-bin-path)/gateway"
fi
[ -x "$binary" ] || fail "not an executable: $binary"

# --- The Dockerfile ---------------------------------------------------------------------------------------
# Docker drops comment lines inside a continued instruction; join the continuations so that each
# instruction is one line.
instructions() {
    grep -v '^[[:space:]]*#' "$dockerfile" | sed -e ':a' -e '/\\$/N' -e 's/\\\n/ /' -e 'ta'
}

# The runtime stage is the last FROM to the end of the file.
runtime_stage="$(instructions | awk 'toupper($1) == "FROM" { stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }')"
[ -n "$runtime_stage" ] || fail "no FROM in $dockerfile"
runtime_base="$(printf '%s\n' "$runtime_stage" | awk 'toupper($1) == "FROM" { print $2; exit }')"
# FROM ${RUNTIME_IMAGE}: take the ARG's default.
if [[ "$runtime_base" =~ ^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$ ]]; then
    runtime_base="$(instructions | sed -n -E "s/^[[:space:]]*ARG[[:space:]]+${BASH_REMATCH[1]}=\"?([^\"[:space:]]+)\"?.*/\1/p" | head -n 1)"
fi

# Package names after `apt-get install`, up to the end of that command (&&, ;, |), options skipped.
mapfile -t installed < <(
    printf '%s\n' "$runtime_stage" | grep -E 'apt-get[[:space:]]+(-[^[:space:]]+[[:space:]]+)*install' \
        | sed -E 's/.*apt-get[[:space:]]+(-[^[:space:]]+[[:space:]]+)*install[[:space:]]//; s/(&&|;|\|).*//' \
        | tr -s ' \t' '\n' | grep -v -e '^-' -e '^$' | awk '!seen[$0]++'
)
[ ${#installed[@]} -gt 0 ] || fail "the runtime stage of $dockerfile has no apt-get install line"

# Does a build stage link the Swift runtime statically?
static_stdlib=0
if instructions | grep -E 'swift[[:space:]]+build[^&;]*--static-swift-stdlib' >/dev/null; then
    static_stdlib=1
fi

# Packages apt installs along with each runtime package (hard dependencies only: the Dockerfile uses
# --no-install-recommends), credited to the first package in the Dockerfile's order that pulls them in.
declare -A pulled_by=()
for package in "${installed[@]}"; do
    if ! apt-cache show "$package" >/dev/null 2>&1; then
        fail "the runtime stage installs '$package', which apt on this machine does not know (typo, or run apt-get update)"
    fi
    while read -r dependency; do
        [ -n "${pulled_by[$dependency]:-}" ] || pulled_by[$dependency]="$package"
    done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "$package" 2>/dev/null | grep -v -e '^ ' -e '^<')
done

# --- Libraries to packages --------------------------------------------------------------------------------
# dpkg records paths as shipped; with merged /usr a library may be found as /lib/... or /usr/lib/...
owner_of() {
    local path="$1" candidate owner real
    real="$(readlink -f "$path")"
    for candidate in "$path" "$real" "/usr$path" "/usr$real" "${path#/usr}" "${real#/usr}"; do
        owner="$(dpkg-query -S "$candidate" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1 || true)"
        if [ -n "$owner" ]; then
            echo "$owner"
            return 0
        fi
    done
    return 1
}

# A -dev package only holds the link-time symlink; the library itself is in the package it depends on.
runtime_package_of() {
    local package="$1"
    case "$package" in
        *-dev)
            apt-cache depends "$package" 2>/dev/null \
                | awk '$1 == "Depends:" && $2 ~ /^lib/ && $2 !~ /-dev$/ { print $2; exit }'
            ;;
        *) echo "$package" ;;
    esac
}

mapfile -t needed < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
is_direct() {
    local name="$1" entry
    for entry in "${needed[@]}"; do [ "$entry" = "$name" ] && return 0; done
    return 1
}

is_listed() {
    local package="$1" entry
    for entry in "${installed[@]}" "${BASE_PACKAGES[@]}"; do [ "$entry" = "$package" ] && return 0; done
    return 1
}

ldd_output="$(ldd "$binary")" || fail "ldd failed on $binary (not a dynamic executable?)"

rows=()
failures=0
while read -r line; do
    case "$line" in
        linux-vdso* | linux-gate* | "") continue ;;
    esac
    name="${line%% *}"
    if [[ "$line" == *"=> not found"* ]]; then
        rows+=("$name|?|-|FAIL: not found on this machine")
        failures=$((failures + 1))
        continue
    fi
    if [[ "$line" == *" => "* ]]; then
        path="$(awk '{ print $3 }' <<<"$line")"
    else
        path="$name"
        name="$(basename "$name")"
    fi
    link="indirect"
    if is_direct "$name"; then link="direct"; fi

    if [[ "$path" == */lib/swift/linux/* ]]; then
        if [ "$static_stdlib" -eq 1 ]; then
            rows+=("$name|$link|swift toolchain|ok: static in the image (--static-swift-stdlib)")
        else
            rows+=("$name|$link|swift toolchain|FAIL: not in the image; build with --static-swift-stdlib")
            failures=$((failures + 1))
        fi
        continue
    fi

    if ! package="$(owner_of "$path")"; then
        rows+=("$name|$link|?|FAIL: no Debian package owns $path")
        failures=$((failures + 1))
        continue
    fi
    package="$(runtime_package_of "$package")"
    if [ "$package" = "libc6" ]; then
        rows+=("$name|$link|libc6|ok: glibc")
    elif is_listed "$package"; then
        for base in "${BASE_PACKAGES[@]}"; do
            if [ "$base" = "$package" ]; then
                rows+=("$name|$link|$package|ok: in $runtime_base")
                continue 2
            fi
        done
        rows+=("$name|$link|$package|ok: installed by the runtime stage")
    elif [ -n "${pulled_by[$package]:-}" ] && [ "$link" = "indirect" ]; then
        rows+=("$name|$link|$package|ok: dependency of ${pulled_by[$package]}")
    elif [ -n "${pulled_by[$package]:-}" ]; then
        rows+=("$name|$link|$package|FAIL: linked directly but only installed as a dependency of ${pulled_by[$package]}; list it")
        failures=$((failures + 1))
    else
        rows+=("$name|$link|$package|FAIL: not installed by the runtime stage")
        failures=$((failures + 1))
    fi
done <<<"$ldd_output"

# --- Report -----------------------------------------------------------------------------------------------
echo "Binary:        $binary"
echo "Dockerfile:    $dockerfile (runtime stage FROM $runtime_base)"
echo "Runtime stage: apt-get install ${installed[*]}"
# shellcheck source=/dev/null
host_release="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}")"
if [[ "$runtime_base" != *"$host_release"* ]]; then
    echo "warning: this machine runs Debian '$host_release' but the runtime image is $runtime_base;" \
        "package names may differ there" >&2
fi
echo
{
    echo "LIBRARY|LINK|PACKAGE|RESULT"
    printf '%s\n' "${rows[@]}"
} | awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > width[i]) width[i] = length($i) } rows = NR }
    END {
        for (r = 1; r <= rows; r++) {
            printf "%-*s  %-*s  %-*s  %s\n", width[1], cell[r, 1], width[2], cell[r, 2], width[3], cell[r, 3], cell[r, 4]
            if (r == 1) printf "%s  %s  %s  %s\n", sep(width[1]), sep(width[2]), sep(width[3]), sep(6)
        }
    }
    function sep(n,   s) { s = ""; while (n-- > 0) s = s "-"; return s }'
echo
if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures shared librar$([ "$failures" -eq 1 ] && echo y || echo ies) would be missing from the image." >&2
    exit 1
fi
echo "OK: the runtime stage provides every shared library the binary links."
