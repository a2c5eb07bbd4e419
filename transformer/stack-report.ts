/**
 * What uses a program's stack, for WBPF3001: every stack slot the optimised IR still
 * addresses (stack structs, keys and values copied for map helpers, copies), named by the
 * source it came from, largest first. Register spills and alignment are the rest.
 */
import type { Fn } from "./ir/ir.js";

interface StackUser {
  readonly text: string;
  readonly line: number;
  bytes: number;
  count: number;
}

/** "`let e: ${Event};` (line 4): 296 bytes; `pid` (line 6): 8 bytes x3" for the largest users. */
/** `hostStart`: where the template body starts in `hostText` (spans are body offsets). */
export function describeStackUsers(fn: Fn, hostText: string, hostStart: number, total: number, max = 6): string {
  const first = new Map<number, { start: number; end: number }>();
  for (const b of fn.blocks) {
    for (const i of b.insts) if (i.op === "slot_addr" && i.slot !== undefined && !first.has(i.slot)) first.set(i.slot, i.span);
  }
  const users = new Map<string, StackUser>();
  let listed = 0;
  for (const [slot, span] of first) {
    const bytes = fn.slots[slot]?.size ?? 0;
    listed += bytes;
    const raw = hostText.slice(hostStart + span.start, hostStart + span.end).split("\n")[0]!.trim();
    const text = raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
    const line = hostText.slice(0, hostStart + span.start).split("\n").length;
    const key = `${line}:${text}`;
    const u = users.get(key);
    if (u) {
      u.bytes += bytes;
      u.count++;
    } else users.set(key, { text, line, bytes, count: 1 });
  }
  if (users.size === 0) return "";
  const sorted = [...users.values()].sort((a, b) => b.bytes - a.bytes || a.line - b.line);
  const parts = sorted.slice(0, max).map((u) => `\`${u.text}\` (line ${u.line}): ${u.bytes} bytes${u.count > 1 ? ` in ${u.count} slots` : ""}`);
  if (sorted.length > max) parts.push(`${sorted.length - max} more`);
  const rest = total - listed;
  return `. Stack used by ${parts.join("; ")}${rest > 0 ? `; register spills and alignment ${rest} bytes` : ""}`;
}
