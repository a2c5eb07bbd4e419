/**
 * Tracepoint contexts for the compiler: `tracepointFormat("syscalls/sys_enter_openat")` gives
 * the record's fields (offset, size, signedness, arrays, `__data_loc` strings) from the
 * snapshot committed with the package, so builds need no tracefs; `suggestTracepoints` names
 * the closest known tracepoints for an "unknown tracepoint" error. Pure.
 */
import { editDistance } from "../frontend/suggest.js";
import { parseField, type TracepointFormat } from "./tracefs-format.js";
import { SNAPSHOT, SNAPSHOT_COMMON, SNAPSHOT_KERNEL } from "./tracepoints/snapshot.js";

export { SNAPSHOT_KERNEL };
export type { TracepointField, TracepointFormat, TracepointFieldKind } from "./tracefs-format.js";

const cache = new Map<string, TracepointFormat>();

/** The format of tracepoint "group/name" from the snapshot, or undefined when it is not known. */
export function tracepointFormat(name: string): TracepointFormat | undefined {
  const have = cache.get(name);
  if (have) return have;
  if (!Object.prototype.hasOwnProperty.call(SNAPSHOT, name)) return undefined;
  const entry = JSON.parse(SNAPSHOT[name]!) as { readonly all?: true; readonly fields: readonly (readonly [string, number, number, 0 | 1])[] };
  const rows = entry.all ? entry.fields : [...SNAPSHOT_COMMON, ...entry.fields];
  const fields = rows.map(([decl, offset, size, signed]) => parseField(decl, offset, size, signed === 1, `snapshot of ${name}`));
  const format: TracepointFormat = { name, fields, size: Math.max(...fields.map((f) => f.offset + f.size)) };
  cache.set(name, format);
  return format;
}

/** Every tracepoint the snapshot knows, "group/name", sorted. */
export function tracepointNames(): string[] {
  return Object.keys(SNAPSHOT).sort();
}

/**
 * Up to `limit` known tracepoints closest to `name` (which may lack its group): for
 * "syscalls/sys_enter_opnat" -> ["syscalls/sys_enter_openat", ...].
 */
export function suggestTracepoints(name: string, limit = 3): string[] {
  const hasGroup = name.includes("/");
  const scored: { n: string; d: number }[] = [];
  for (const n of Object.keys(SNAPSHOT)) {
    const candidate = hasGroup ? n : n.slice(n.indexOf("/") + 1);
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (d <= Math.max(2, Math.floor(name.length / 4))) scored.push({ n, d });
  }
  return scored.sort((a, b) => a.d - b.d || a.n.localeCompare(b.n)).slice(0, limit).map((s) => s.n);
}
