/**
 * Tracepoint names for `Tracepoint<"|">` completions, from the running kernel's tracefs
 * (`available_events`, "group:name" per line). Read once per editor session; where tracefs
 * is not mounted or not readable (it is root-only on most systems) there are none.
 */
import { readFileSync } from "node:fs";

const ROOTS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

let names: readonly string[] | undefined;

export function tracepointNames(): readonly string[] {
  if (names) return names;
  names = [];
  for (const root of ROOTS) {
    try {
      const text = readFileSync(`${root}/available_events`, "utf8");
      names = text.split("\n").filter((l) => l.includes(":")).map((l) => l.replace(":", "/")).sort();
      break;
    } catch {
      // Not mounted here or not readable: try the next root, else offer nothing.
    }
  }
  return names;
}
