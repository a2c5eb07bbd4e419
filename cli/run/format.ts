/**
 * How `whistler run` prints what it reads: ring buffer records as `field=value` pairs (or
 * hex), maps as aligned key/value tables, and JSON with bigints as numbers or strings.
 */
import pc from "picocolors";

/** Hex bytes in groups of 8, for records without a known layout. */
export function hex(bytes: Uint8Array, max = 64): string {
  const shown = bytes.subarray(0, max);
  const groups: string[] = [];
  for (let i = 0; i < shown.length; i += 8) groups.push(Buffer.from(shown.subarray(i, i + 8)).toString("hex"));
  return groups.join(" ") + (bytes.length > max ? ` ...(${bytes.length} bytes)` : "");
}

/** One value for a table cell or a record field. */
export function show(v: unknown): string {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as unknown as ArrayLike<number | bigint>, (x) => String(x)).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v !== null && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}=${show(x)}`).join(" ");
  return String(v);
}

/** JSON.stringify that writes bigints as numbers when exact, else as strings, and bytes as hex. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === "bigint") return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
    if (x instanceof Uint8Array) return Buffer.from(x).toString("hex");
    if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number | bigint>, (e) => (typeof e === "bigint" ? Number(e) : e));
    return x;
  });
}

/** Per-CPU values sum for display; other values stay as they are. */
function total(v: unknown): unknown {
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "bigint")) return (v as bigint[]).reduce((a, b) => a + b, 0n);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")) return (v as number[]).reduce((a, b) => a + b, 0);
  return v;
}

function isZero(v: unknown): boolean {
  return v === 0 || v === 0n || (v instanceof Uint8Array && v.every((b) => b === 0));
}

export interface MapDump {
  readonly name: string;
  readonly entries: readonly (readonly [unknown, unknown])[];
  /** Entries not shown (zero array slots). */
  readonly hiddenZeros: number;
}

/** A map's entries for printing: per-CPU values summed; array slots still zero left out. */
export function dumpEntries(name: string, entries: Iterable<readonly [unknown, unknown]>, isArray: boolean): MapDump {
  const out: [unknown, unknown][] = [];
  let hiddenZeros = 0;
  for (const [k, v] of entries) {
    const t = total(v);
    if (isArray && isZero(t)) hiddenZeros++;
    else out.push([k, t]);
  }
  // Largest counts first when values are numbers: what a user looks for in a counter map.
  if (out.every(([, v]) => typeof v === "bigint" || typeof v === "number")) {
    out.sort((a, b) => (b[1] as bigint | number) > (a[1] as bigint | number) ? 1 : (b[1] as bigint | number) < (a[1] as bigint | number) ? -1 : 0);
  }
  return { name, entries: out, hiddenZeros };
}

/** An aligned two-column table of a map, at most `limit` rows. */
export function formatMap(d: MapDump, limit: number): string {
  const rows = d.entries.slice(0, limit).map(([k, v]) => [show(k), show(v)] as const);
  const kw = Math.max(3, ...rows.map(([k]) => k.length));
  const vw = Math.max(5, ...rows.map(([, v]) => v.length));
  const lines = [`${pc.bold(`map ${d.name}`)} ${pc.dim(`(${d.entries.length} entr${d.entries.length === 1 ? "y" : "ies"}${d.hiddenZeros ? `, ${d.hiddenZeros} zero slots hidden` : ""})`)}`];
  if (rows.length > 0) lines.push(pc.dim(`  ${"KEY".padStart(kw)}  ${"VALUE".padStart(vw)}`));
  for (const [k, v] of rows) lines.push(`  ${k.padStart(kw)}  ${v.padStart(vw)}`);
  if (d.entries.length > limit) lines.push(pc.dim(`  ... ${d.entries.length - limit} more (--limit to show more)`));
  return lines.join("\n");
}
