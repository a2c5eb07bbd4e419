/** Host facts the loader needs: possible CPUs, network interface indexes. */
import { readFileSync } from "node:fs";
import { WhistlerError } from "../errors.js";
import { ifNameToIndexRaw } from "./libc.js";

/** Parse a kernel CPU list ("0-3,5,7-8") into the number of CPUs it names. */
export function parseCpuList(text: string): number {
  let count = 0;
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new WhistlerError(`cannot parse CPU list "${text.trim()}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new WhistlerError(`cannot parse CPU list "${text.trim()}"`);
    count += hi - lo + 1;
  }
  return count;
}

let possible: number | undefined;

/** Number of possible CPUs: per-CPU maps hold one value for each. */
export function possibleCpus(): number {
  possible ??= parseCpuList(readFileSync("/sys/devices/system/cpu/possible", "utf8"));
  return possible;
}

/** Interface index by name ("lo") or number. */
export function ifIndex(iface: string | number): number {
  if (typeof iface === "number") return iface;
  if (/^\d+$/.test(iface)) return Number(iface);
  const idx = ifNameToIndexRaw(iface);
  if (idx === 0) {
    throw new WhistlerError(`no network interface named "${iface}"`, { hint: "list interfaces with `ip link`" });
  }
  return idx;
}
