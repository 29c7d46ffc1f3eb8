#!/usr/bin/env bash
# The manual page docs/frontwatch.1 against the program it documents.
# Every command that `frontwatch --help` lists must have its entry (a .SS
# titled with its name) under COMMANDS, and every long option that
# `frontwatch help CMD` prints must appear in that entry (between its .SS
# and the next .SS or .SH); --help and --version must appear too. The
# lists come from the binary, so a command added to it is checked from
# then on, and a command or option it has that the page lacks is named.
# When groff is installed, the page must also render without a warning
# (groff -man -ww, as `man --warnings` does); without groff that one
# check is skipped, with the reason printed. A missing page fails.
# $FW is the frontwatch binary (set by CTest).
set -u
FW=${FW:-build/frontwatch}
root=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$root/docs/frontwatch.1
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$*"
}

if [ ! -f "$MAN" ]; then
    bad "no manual page at $MAN"
    echo "$pass passed, $fail failed"
    exit 1
fi

# The page's source as plain text: comments dropped, \- as -, font and
# break-point escapes removed, so "\fB\-\-db\fR" reads "--db".
text=$(sed -e '/^\.\\"/d' -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' \
           -e 's/\\f\[[^]]*\]//g' -e 's/\\&//g' -e 's/\\://g' -e 's/\\%//g' \
           "$MAN")

# section CMD: the lines of CMD's .SS entry under .SH COMMANDS; a .SS title
# may be the name alone or start with "frontwatch NAME".
section() {
    awk -v cmd="$1" '
        /^\.SH/ { in_cmds = ($0 ~ /^\.SH[ \t]+"?COMMANDS"?[ \t]*$/); on = 0; next }
        /^\.SS/ {
            t = $0
            sub(/^\.SS[ \t]+/, "", t); gsub(/"/, "", t)
            sub(/^frontwatch[ \t]+/, "", t); sub(/[ \t].*/, "", t)
            on = in_cmds && t == cmd
            if (on) { print }
            next
        }
        on { print }' <<<"$text"
}

# has_opt OPT: OPT as a whole word (not the start of a longer option) on
# standard input.
has_opt() { grep -qE -- "(^|[^a-zA-Z0-9_-])$1([^a-zA-Z0-9_-]|$)"; }

usage=$("$FW" --help)
rc=$?
if [ "$rc" -ne 0 ]; then
    bad "$FW --help exited $rc"
fi
cmds=$(awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
            on && /^  [a-z]/ { print $1 }' <<<"$usage")
if [ -z "$cmds" ]; then
    bad "no command list in the output of $FW --help"
fi

missing_cmds=""
missing_opts=""
for cmd in $cmds; do
    sec=$(section "$cmd")
    if [ -z "$sec" ]; then
        bad "command '$cmd' (in $FW --help) has no entry (.SS $cmd) under COMMANDS in docs/frontwatch.1"
        missing_cmds="$missing_cmds $cmd"
        continue
    fi
    ok
    if [ "$cmd" = help ]; then
        continue # `frontwatch help help` is no command's help; help takes no option
    fi
    if ! help=$("$FW" help "$cmd"); then
        bad "$FW help $cmd failed"
        continue
    fi
    opts=$(grep -oE -- '--[a-z]([a-z-]*[a-z])?' <<<"$help" | sort -u)
    if [ -z "$opts" ]; then
        bad "$FW help $cmd prints no long option (every command takes --db)"
        continue
    fi
    for opt in $opts; do
        if has_opt "$opt" <<<"$sec"; then
            ok
        else
            bad "option $opt of '$cmd' (in $FW help $cmd) is not in the '$cmd' entry of docs/frontwatch.1"
            missing_opts="$missing_opts $cmd:$opt"
        fi
    done
done

for opt in --help --version; do
    if has_opt "$opt" <<<"$text"; then
        ok
    else
        bad "$opt is not in docs/frontwatch.1"
        missing_opts="$missing_opts $opt"
    fi
done

# Documented ahead of the binary: said, not failed.
documented=$(awk '/^\.SH/ { on = ($0 ~ /COMMANDS/); next }
                  on && /^\.SS/ { t = $0; sub(/^\.SS[ \t]+/, "", t);
                                  gsub(/"/, "", t); sub(/^frontwatch[ \t]+/, "", t);
                                  sub(/[ \t].*/, "", t); print t }' <<<"$text")
ahead=""
for d in $documented; do
    grep -qxF -- "$d" <<<"$cmds" || ahead="$ahead $d"
done
if [ -n "$ahead" ]; then
    echo "note: documented but not in this binary (yet):$ahead"
fi

if command -v groff >/dev/null 2>&1; then
    # The terminal rendering man uses, at its default width and a narrow one.
    for ll in "" "-rLL=60n"; do
        warn=$(groff -man -Tutf8 -ww -z $ll "$MAN" 2>&1)
        if [ -z "$warn" ]; then
            ok
        else
            bad "groff -man -Tutf8 -ww $ll warns:"
            printf '%s\n' "$warn"
        fi
    done
else
    echo "skipped: the rendering check (groff is not installed; apt-get install groff-base)"
fi

if [ -n "$missing_cmds$missing_opts" ]; then
    echo "missing from docs/frontwatch.1:${missing_cmds:+ commands:$missing_cmds}${missing_opts:+ options:$missing_opts}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
