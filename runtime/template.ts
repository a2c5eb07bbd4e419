/**
 * The `bpf` tagged template.
 *
 * With the transformer, `bpf\`...\`` is replaced at build time by `bpf.compiled({...})`
 * holding the ELF object. Without it (tsx, the REPL, TypeScript 7) the tag keeps the
 * template's strings and values, and `load()` compiles them lazily at run time.
 */
import type { MapDecl } from "./map-decl.js";

/** What the transformer emits for one template. */
export interface CompiledPayload {
  /** The ELF object: bytes, or base64 for large objects. */
  readonly elf: Uint8Array | string;
  /** Programs in the object, in section order. */
  readonly programs: readonly { readonly name: string; readonly section: string }[];
  /** Map name in the object -> the interpolated declaration (for `obj.map(decl)`). */
  readonly maps: Readonly<Record<string, MapDecl>>;
}

/** Where a template was written: file (path or URL), 1-based line and column of the tag. */
export interface CallSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The map declarations of a template, by their names in the object. */
export type TemplateMaps = Readonly<Record<string, MapDecl>>;

/**
 * A `bpf` template. `P` (program names) and `M` (maps by object name) are precise in the
 * declaration files the transformer writes (with its `afterDeclarations` entry), so that
 * `load(t).program("name")` and `.map("name")` are checked by TypeScript in consumers.
 */
export class BpfTemplate<P extends string = string, M extends TemplateMaps = TemplateMaps> {
  /** Type-level only: the program names and maps (never set at run time). */
  declare readonly __types?: { readonly programs: P; readonly maps: M };
  /** Raw strings of the template (between interpolations); empty when compiled. */
  readonly strings: readonly string[];
  /** Interpolated values. */
  readonly values: readonly unknown[];
  readonly compiled: CompiledPayload | undefined;
  /**
   * Where the tag was evaluated, for templates compiled at run time: lets the fallback read
   * the host file, so line info, messages and map names match a build-time compile.
   */
  readonly callSite: CallSite | undefined;
  constructor(strings: readonly string[], values: readonly unknown[], compiled?: CompiledPayload, callSite?: CallSite) {
    this.strings = strings;
    this.values = values;
    this.compiled = compiled;
    this.callSite = callSite;
  }

  /** The ELF bytes when compiled at build time. */
  elfBytes(): Uint8Array | undefined {
    const elf = this.compiled?.elf;
    if (elf === undefined) return undefined;
    if (typeof elf !== "string") return elf;
    // Decoded once: a template may be loaded many times (tests, restarts of a tool).
    this.#decoded ??= new Uint8Array(Buffer.from(elf, "base64"));
    return this.#decoded;
  }

  #decoded: Uint8Array | undefined;
}

export interface BpfTag {
  (strings: TemplateStringsArray, ...values: unknown[]): BpfTemplate;
  /** Target of the transformer's rewrite; not for hand-written code. */
  compiled(payload: CompiledPayload): BpfTemplate;
}

/**
 * The tagged template expression's position: the stack's fourth line, after "Error",
 * `callerSite` and the tag function (the tag is only ever called directly by a template).
 */
function callerSite(): CallSite | undefined {
  const frame = new Error().stack?.split("\n")[3];
  const m = frame === undefined ? null : /\(?((?:file:\/\/)?\/[^():]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
  return m ? { file: m[1]!, line: Number(m[2]), column: Number(m[3]) } : undefined;
}

export const bpf: BpfTag = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]) => new BpfTemplate(strings.raw, values, undefined, callerSite()),
  { compiled: (payload: CompiledPayload) => new BpfTemplate([], [], payload) },
);
