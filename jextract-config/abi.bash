# Shared by ./regenerate and ./check-layouts (sourced, not run): the ABIs, where their C headers are,
# and the compile flags that point clang and jextract at them.
#
# Each ABI directory holds a compile_flags.txt whose header roots are written as ${NAME}; the variables
# below fill them in. The three Linux roots default to where Debian installs them; the others have no
# default. ${ARCH} is each architecture named in the directory's `arches` file, where one is.

ABIS=(linux_x86_64 linux_aarch64 linux_musl_x86_64 linux_musl_aarch64 freebsd dragonfly macos)

CLANG=${CLANG:-clang-14}
: "${CLANG_HEADERS:=$("$CLANG" -print-resource-dir 2>/dev/null)/include}"
: "${GLIBC_X86_64_HEADERS:=/usr/include}"
: "${GLIBC_AARCH64_HEADERS:=/usr/aarch64-linux-gnu/include}"
: "${MUSL_X86_64_HEADERS:=/usr/include/x86_64-linux-musl}"
: "${ZIG_HEADERS:=}"
: "${FREEBSD_HEADERS:=}"
: "${DRAGONFLY_HEADERS:=}"

# What each root is, for the message when one is missing.
declare -A ROOT_HINT=(
    [CLANG_HEADERS]="clang's builtin headers (Debian: clang-14, libclang-common-14-dev)"
    [GLIBC_X86_64_HEADERS]="glibc's headers for x86-64, holding x86_64-linux-gnu/ (Debian on x86-64: libc6-dev, linux-libc-dev)"
    [GLIBC_AARCH64_HEADERS]="glibc's headers for aarch64 (Debian: libc6-dev-arm64-cross, linux-libc-dev-arm64-cross)"
    [MUSL_X86_64_HEADERS]="musl's headers for x86-64 (Debian: musl-dev)"
    [ZIG_HEADERS]="lib/libc/include of SB0LTD/sig at bb2d3a171c (see linux_musl_aarch64/provenance.md, macos/provenance.md)"
    [FREEBSD_HEADERS]="lib/libc/include of SB0LTD/sig at 6e64bc845f (see freebsd/provenance.md)"
    [DRAGONFLY_HEADERS]="a DragonFly /usr/include assembled from lileding/DragonFlyBSD (see dragonfly/provenance.md)"
)

# The architectures of ABI directory $1, one a line; the first is the one generated. Without an `arches`
# file, the one its --target names.
abi_arches() {
    if [[ -f $1/arches ]]; then
        grep -v '^#' "$1/arches"
    else
        sed -n 's/^--target=\([^-]*\)-.*/\1/p' "$1/compile_flags.txt"
    fi
}

# The generated package of ABI directory $1, as named in its libc.args.
abi_package() {
    sed -n 's/^--target-package //p' "$1/libc.args"
}

# Writes to stdout the compile flags of ABI directory $1 for architecture $2, with the header roots
# filled in. Fails, naming the variable, when a root is unset or a directory it names does not exist.
compile_flags() {
    local dir=$1 arch=$2 line name value previous=
    while IFS= read -r line; do
        while [[ $line =~ \$\{([A-Z0-9_]+)\} ]]; do
            name=${BASH_REMATCH[1]}
            if [[ $name == ARCH ]]; then value=$arch; else value=${!name-}; fi
            if [[ -z $value ]]; then
                echo "$(basename "$dir"): $name is not set: ${ROOT_HINT[$name]-}" >&2
                return 3
            fi
            line=${line//"\${$name}"/$value}
        done
        if [[ $previous == -isystem && ! -d $line ]]; then
            echo "$(basename "$dir"): no directory $line: ${ROOT_HINT[$name]-}" >&2
            return 3
        fi
        previous=$line
        printf '%s\n' "$line"
    done < "$dir/compile_flags.txt"
}

# Writes to stdout the errno.args of ABI directory $1, whose compile flags are in file $2: every E* macro
# that the errno headers (the files named *errno*.h that socketpair.h pulls in) define as a number not
# taken by an earlier one, in order of number. Aliases are left out: those defined as another name
# (EWOULDBLOCK, ENOTSUP on Linux) and those repeating a number (ELAST on the BSDs and macOS).
errno_args() {
    local dir=$1 flags=$2
    cat <<HEADER
# jextract options for the errno values: every E* constant of <errno.h> that has a number of its own
# (aliases such as EWOULDBLOCK are left out), in a class of their own so that each of its constants is
# an errno and the library can name every errno from it.
# Written by ../regenerate from this target's errno headers: not to be edited.
--target-package $(abi_package "$dir")
--header-class-name ErrnoValues

HEADER
    "$CLANG" @"$flags" -E -dD -x c "$dir/socketpair.h" | awk '
        /^# [0-9]+ "/ { n = split($3, path, "/"); in_errno = path[n] ~ /errno[^\/]*\.h"$/; next }
        in_errno && /^#define E[A-Z0-9]+[ \t]/ {
            value = $3
            gsub(/[()]/, "", value)
            if (value ~ /^-?[0-9]+$/) {
                if (!(value in seen)) { seen[value] = 1; print value, $2 }
            } else if (value !~ /^E[A-Z0-9]+$/ || NF > 3) {
                print "errno: cannot read: " $0 > "/dev/stderr"
                failed = 1
            }
        }
        END { exit failed }' | sort -n -s | awk '{ print "--include-constant " $2 }'
}
