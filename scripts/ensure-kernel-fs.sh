#!/usr/bin/env bash
# Mounts tracefs (tracepoint ids) and bpffs (pinning) when they are absent. Needs root;
# without it, says what to run instead.
set -u
mount_if_absent() {
  local type=$1 dir=$2
  if ! grep -qs " $dir $type " /proc/mounts; then
    if [ "$(id -u)" -eq 0 ]; then
      mkdir -p "$dir" && mount -t "$type" "$type" "$dir" && echo "mounted $type at $dir"
    else
      echo "note: $type is not mounted at $dir; run: sudo mount -t $type $type $dir" >&2
    fi
  fi
}
mount_if_absent tracefs /sys/kernel/tracing
mount_if_absent bpf /sys/fs/bpf
exit 0
