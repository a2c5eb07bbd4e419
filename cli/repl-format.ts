/**
 * How the REPL prints what users look at most: map handles as their entries, loaded objects
 * as their programs and maps, disassembly as plain text, our errors as their message and hint
 * (Node's REPL prints thrown values through the writer too). The rest prints as Node would.
 */
import { inspect } from "node:util";
import { MAP_TYPE_IDS } from "../runtime/map-decl.js";
import { WhistlerError } from "../runtime/errors.js";
import { BpfObject, MapHandle } from "../loader/index.js";

/** Entries printed per map before "... N more". */
const MAX_ENTRIES_SHOWN = 32;

/** Text the writer prints as it is (no quotes, no escapes). */
export class Listing {
  constructor(readonly text: string) {}
  [inspect.custom](): string {
    return this.text;
  }
}

function mapTypeName(type: number): string {
  return Object.entries(MAP_TYPE_IDS).find(([, id]) => id === type)?.[0] ?? `type ${type}`;
}

export function formatMap(m: MapHandle<unknown, unknown>, colors: boolean): string {
  const i = m.info;
  const entries: string[] = [];
  let count = 0;
  for (const [k, v] of m) {
    if (count++ < MAX_ENTRIES_SHOWN) entries.push(`  ${inspect(k, { colors })} => ${inspect(v, { colors, breakLength: Infinity })}`);
  }
  if (count > MAX_ENTRIES_SHOWN) entries.push(`  ... ${count - MAX_ENTRIES_SHOWN} more`);
  const head = `map ${i.name}: ${mapTypeName(i.type)}, key ${i.keySize} B, value ${i.valueSize} B, ${count}/${i.maxEntries} entries`;
  return [head, ...entries].join("\n");
}

export function formatObject(o: BpfObject): string {
  const progs = [...o.programs.values()].map((p) => `  program ${p.name}: ${p.type.toLowerCase()}, ${p.insnCount} insns, section ${p.section}`);
  const maps = o.mapNames.map((n) => `  map ${n}`);
  return ["BpfObject", ...progs, ...maps].join("\n");
}

/** The REPL's writer: our objects in our format, the rest through util.inspect. */
export function replWriter(colors: boolean): (value: unknown) => string {
  return (value) => {
    // Our errors already say what happened and what to do: the stack adds nothing here.
    if (value instanceof WhistlerError) return `${value.name}: ${value.message}`;
    try {
      if (value instanceof MapHandle) return formatMap(value as MapHandle<unknown, unknown>, colors);
      if (value instanceof BpfObject) return formatObject(value);
    } catch (e) {
      // A disposed object or closed map: say so rather than fail the print.
      return `<${e instanceof Error ? e.message : String(e)}>`;
    }
    return inspect(value, { colors, depth: 4 });
  };
}
