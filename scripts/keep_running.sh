#!/bin/sh
# Run a command, and run it again whenever it exits, until this script is stopped (TERM, INT or HUP); then
# stop the command (only it) and exit. `make serve` runs its background worker under it, so a worker that
# dies (a lost database, a crash, a kill) comes back, as systemd's Restart=always does in production
# (deploy/cpma-worker@.service).
#
#   scripts/keep_running.sh python manage.py db_worker --interval 1 --no-reload
#
# KEEP_RUNNING_DELAY: seconds between an exit and the restart (default 2).
delay="${KEEP_RUNNING_DELAY:-2}"
child=""
pause=""
stopping=""

stop() {
    stopping=1
    [ -n "$pause" ] && kill "$pause" 2>/dev/null
    [ -n "$child" ] && kill "$child" 2>/dev/null
}
trap stop TERM INT HUP

while [ -z "$stopping" ]; do
    "$@" &
    child=$!
    # A trapped signal interrupts `wait`; wait again until the command has really exited.
    while kill -0 "$child" 2>/dev/null; do
        wait "$child"
        status=$?
    done
    child=""
    [ -n "$stopping" ] && break
    echo "keep_running: '$*' exited with status $status; starting it again in ${delay}s" >&2
    sleep "$delay" &
    pause=$!
    wait "$pause" 2>/dev/null
    pause=""
done
