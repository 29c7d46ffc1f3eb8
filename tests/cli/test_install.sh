#!/usr/bin/env bash
# Install and uninstall, into a temporary DESTDIR: `cmake --install` of the
# build that made $FW (its folder) must put the program, the manual page,
# the systemd service and timer (the service naming the program by its
# installed path, whatever the prefix given at install time, with no
# @VARIABLE@ left) and LICENSE, NOTICE, README.md in their places, and
# nothing that install_manifest.txt does not list; then `make uninstall`
# with the same DESTDIR must remove every file, leaving empty folders only.
# The build's own install_manifest.txt is put back as it was, so a real
# `make uninstall` afterwards still removes the real install.
# $FW is the frontwatch binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$(dirname "$FW")" && pwd)
manifest=$build/install_manifest.txt
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$*"
}
# expect WHAT COMMAND...: COMMAND must succeed.
expect() {
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

if [ ! -f "$build/cmake_install.cmake" ]; then
    bad "$build (the folder of \$FW) is not a CMake build: no cmake_install.cmake"
    echo "$pass passed, $fail failed"
    exit 1
fi

tmp=$(mktemp -d)
saved=""
if [ -e "$manifest" ]; then
    saved=$tmp/install_manifest.txt.saved
    cp -p "$manifest" "$saved"
fi
restore() {
    if [ -n "$saved" ]; then
        cp -p "$saved" "$manifest"
    else
        rm -f "$manifest"
    fi
    rm -rf "$tmp"
}
trap restore EXIT

cron=no
grep -q '^FW_INSTALL_CRON:BOOL=ON$' "$build/CMakeCache.txt" && cron=yes
version=$("$FW" --version)

# install_at PREFIX: installs under $tmp/PREFIX's DESTDIR and checks it.
install_at() {
    local prefix=$1 dest=$tmp/dest$2
    local out rc
    out=$(DESTDIR=$dest cmake --install "$build" --prefix "$prefix" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ]; then
        bad "cmake --install --prefix $prefix exited $rc:"
        printf '%s\n' "$out"
        return
    fi
    ok
    local p=$dest$prefix
    expect "$prefix/bin/frontwatch is not an executable" test -x "$p/bin/frontwatch"
    expect "$prefix/bin/frontwatch --version is not '$version'" \
        test "$("$p/bin/frontwatch" --version 2>&1)" = "$version"
    expect "$prefix/share/man/man1/frontwatch.1 is not docs/frontwatch.1" \
        cmp -s "$p/share/man/man1/frontwatch.1" "$root/docs/frontwatch.1"
    local unit=$p/lib/systemd/system/frontwatch-update.service
    expect "no $prefix/lib/systemd/system/frontwatch-update.service" test -f "$unit"
    expect "the service does not run $prefix/bin/frontwatch update --quiet" \
        grep -qxF "ExecStart=$prefix/bin/frontwatch update --quiet" "$unit"
    if grep -n '@[A-Za-z_]*@' "$unit"; then
        bad "the service keeps an @VARIABLE@ (above)"
    else
        ok
    fi
    expect "$prefix/lib/systemd/system/frontwatch-update.timer is not contrib's" \
        cmp -s "$p/lib/systemd/system/frontwatch-update.timer" \
        "$root/contrib/systemd/frontwatch-update.timer"
    # systemd's own check of both units, the program path pointed at $FW
    # (the installed path does not exist outside DESTDIR).
    if [ "$prefix" = /usr ] && command -v systemd-analyze >/dev/null 2>&1; then
        local v=$tmp/verify
        mkdir -p "$v"
        sed "s|^ExecStart=$prefix/bin/frontwatch |ExecStart=$(cd "$(dirname "$FW")" && pwd)/$(basename "$FW") |" \
            "$unit" >"$v/frontwatch-update.service"
        cp "$p/lib/systemd/system/frontwatch-update.timer" "$v/"
        # It exits 0 on unknown keys and bad values, but names the unit
        # file and line: any message about our units fails.
        local out rc
        out=$(cd "$v" && systemd-analyze verify --man=no \
              frontwatch-update.service frontwatch-update.timer 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ] && ! grep -q 'frontwatch-update\.' <<<"$out"; then
            ok
        else
            bad "systemd-analyze verify of the units exits $rc or complains:"
            printf '%s\n' "$out"
        fi
    elif [ "$prefix" = /usr ]; then
        echo "skipped: systemd-analyze verify (systemd-analyze is not installed)"
    fi
    for f in LICENSE NOTICE README.md; do
        expect "$prefix/share/doc/frontwatch/$f is not the source's $f" \
            cmp -s "$p/share/doc/frontwatch/$f" "$root/$f"
    done
    if [ "$cron" = yes ]; then
        # under the prefix, or in /etc with -DCMAKE_INSTALL_SYSCONFDIR=/etc
        expect "FW_INSTALL_CRON is on, but no cron.d/frontwatch was installed" \
            test -n "$(find "$dest" -path '*/cron.d/frontwatch')"
    else
        expect "FW_INSTALL_CRON is off, but cron.d/frontwatch was installed" \
            test -z "$(find "$dest" -path '*/cron.d/*')"
    fi
    # What is there is what the manifest lists, which uninstall relies on.
    local listed there
    listed=$(sed '/^$/d' "$manifest" | sort)
    there=$(cd "$dest" && find . ! -type d | sed 's/^\.//' | sort)
    if [ "$listed" = "$there" ]; then
        ok
    else
        bad "installed files and install_manifest.txt differ (< manifest, > installed):"
        diff <(printf '%s\n' "$listed") <(printf '%s\n' "$there")
    fi
}

# /usr, as a package would; /opt/fw, a prefix the build was not configured
# with, so the service's path must come from the install, not configure.
install_at /opt/fw 2
install_at /usr 1

dest=$tmp/dest1
out=$(make -C "$root" uninstall BUILD="$build" DESTDIR="$dest" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q "removed $dest/usr/bin/frontwatch" <<<"$out"; then
    ok
else
    bad "make uninstall exited $rc, or did not say it removed the program:"
    printf '%s\n' "$out"
fi
left=$(find "$dest" ! -type d)
if [ -z "$left" ]; then
    ok
else
    bad "make uninstall left files:"
    printf '%s\n' "$left"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
