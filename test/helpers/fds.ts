/**
 * File-descriptor leak check: `checkNoFdLeaks()` in a suite records the open fds before the
 * suite and asserts none were added after it (everything we open must be disposed).
 */
import { readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, expect } from "@jest/globals";

export function openFds(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd used by readdir itself is gone by now
    }
  }
  return fds;
}

/** Leaked bpf-ish fds: anon inodes (maps, progs, links, perf events) opened since `before`. */
export function leakedSince(before: Map<number, string>): string[] {
  const leaked: string[] = [];
  for (const [fd, target] of openFds()) {
    if (before.has(fd)) continue;
    if (target.startsWith("anon_inode:")) leaked.push(`${fd} -> ${target}`);
  }
  return leaked;
}

export function checkNoFdLeaks(): void {
  let before = new Map<number, string>();
  beforeAll(() => {
    before = openFds();
  });
  afterAll(() => {
    expect(leakedSince(before)).toEqual([]);
  });
}
