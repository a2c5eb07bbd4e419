/**
 * Struct layouts read from `bpftool btf dump file <btf>` (raw format), to check the
 * editor's hover against a source that shares no code with the compiler's BTF reader.
 */
import { execFileSync } from "node:child_process";
import { requireBpftool } from "../interop/bpftool-util.js";

interface RawType {
  readonly kind: string;
  readonly name: string;
  /** `key=value` fields of the type's line: size, type_id, nr_elems, ... */
  readonly attrs: ReadonlyMap<string, string>;
  readonly members: readonly RawMember[];
}

interface RawMember {
  readonly name: string;
  readonly typeId: number;
  readonly bitOffset: number;
  readonly bitfieldSize: number;
}

/** A member as C code sees it (anonymous members flattened), with its offset from the outer struct. */
export interface FlatMember {
  readonly name: string;
  readonly bitOffset: number;
  readonly bitfieldSize: number;
  readonly typeId: number;
}

const WRAPPERS = new Set(["TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"]);

export class BpftoolBtf {
  readonly #types = new Map<number, RawType>();
  readonly #byName = new Map<string, number>();

  constructor(file: string) {
    const text = execFileSync(requireBpftool(), ["btf", "dump", "file", file], { encoding: "utf8", maxBuffer: 1 << 30 });
    let current: { kind: string; name: string; attrs: Map<string, string>; members: RawMember[] } | undefined;
    for (const line of text.split("\n")) {
      const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
      if (head) {
        const attrs = new Map([...head[4]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as const));
        current = { kind: head[2]!, name: head[3]!, attrs, members: [] };
        this.#types.set(Number(head[1]), current);
        if ((current.kind === "STRUCT" || current.kind === "UNION") && !this.#byName.has(current.name)) this.#byName.set(current.name, Number(head[1]));
        continue;
      }
      const m = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?/.exec(line);
      if (m && current && (current.kind === "STRUCT" || current.kind === "UNION")) {
        current.members.push({ name: m[1]!, typeId: Number(m[2]), bitOffset: Number(m[3]), bitfieldSize: Number(m[4] ?? 0) });
      }
    }
  }

  #type(id: number): RawType {
    const t = this.#types.get(id);
    if (!t) throw new Error(`bpftool dump has no type [${id}]`);
    return t;
  }

  /** The type `id` names once typedefs and qualifiers are looked through. */
  resolve(id: number): RawType {
    let t = this.#type(id);
    while (WRAPPERS.has(t.kind)) t = this.#type(Number(t.attrs.get("type_id")));
    return t;
  }

  sizeOf(id: number): number {
    const t = this.resolve(id);
    if (t.kind === "PTR") return 8;
    if (t.kind === "ARRAY") return Number(t.attrs.get("nr_elems")) * this.sizeOf(Number(t.attrs.get("type_id")));
    return Number(t.attrs.get("size"));
  }

  /** The struct or union called `name`: its size and its members, anonymous ones flattened. */
  struct(name: string): { size: number; members: FlatMember[] } {
    const id = this.#byName.get(name);
    if (id === undefined) throw new Error(`bpftool dump has no struct ${name}`);
    return { size: this.sizeOf(id), members: this.#flatten(id, 0) };
  }

  /** Members of the anonymous struct that member `name` of `struct` has as its type. */
  anonMembers(struct: string, name: string): FlatMember[] {
    const m = this.struct(struct).members.find((x) => x.name === name);
    if (!m) throw new Error(`struct ${struct} has no member ${name}`);
    return this.#flatten(m.typeId, 0);
  }

  #flatten(id: number, base: number): FlatMember[] {
    const out: FlatMember[] = [];
    for (const m of this.resolve(id).members) {
      if (m.name === "(anon)") out.push(...this.#flatten(m.typeId, base + m.bitOffset));
      else out.push({ name: m.name, bitOffset: base + m.bitOffset, bitfieldSize: m.bitfieldSize, typeId: m.typeId });
    }
    return out;
  }
}
