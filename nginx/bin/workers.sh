#!/bin/sh
# PIDs of the nginx workers that accept new connections (one per line). After
# a reload the old workers keep accepting until they get to the signal, then
# call themselves "worker process is shutting down": Berth waits for the old
# ones to leave this list, so a site it reports live is what every new
# connection gets.
for dir in /proc/[0-9]*; do
  title="$(tr '\000' ' ' <"$dir/cmdline" 2>/dev/null)" || continue
  case "$title" in
    "nginx: worker process is shutting down"*) ;;
    "nginx: worker process"*) echo "${dir#/proc/}" ;;
  esac
done
