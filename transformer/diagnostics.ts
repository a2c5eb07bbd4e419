/**
 * Every diagnostic the compiler can report, in one table.
 *
 * Codes are stable: tools, tests and docs refer to them. 1xxx are language errors (syntax,
 * names, types), 2xxx are map misuse, 3xxx are limits of the target, 4xxx are struct declarations. `docs/LANGUAGE.md`
 * lists this table; add a row here before reporting a new code.
 */
import type { Diagnostic, SourceLocation } from "./api.js";

export const DIAGNOSTICS = {
  WBPF1000: { title: "syntax error", help: "the template is not valid TypeScript" },
  WBPF1001: { title: "unknown identifier", help: "names a local, helper, constant or interpolated value that does not exist" },
  WBPF1002: { title: "unsupported construct", help: "a TypeScript construct the BPF language does not have" },
  WBPF1003: { title: "type mismatch", help: "operand types differ, or a conversion would narrow or change sign implicitly" },
  WBPF1004: { title: "unknown context type or field", help: "the ctx parameter's type or a field read from it is not known" },
  WBPF1005: { title: "helper not allowed", help: "the helper exists but the kernel refuses it for this program type" },
  WBPF1006: { title: "wrong number of arguments", help: "a call passes more or fewer arguments than the callee takes" },
  WBPF1007: { title: "possibly null pointer", help: "a map value pointer is used before a null check" },
  WBPF1008: { title: "constant out of range", help: "a constant does not fit its type, a shift is too wide, or a division is by zero" },
  WBPF1009: { title: "invalid assignment", help: "assigning to a const, to a non-variable, or to a read-only context field" },
  WBPF1010: { title: "duplicate declaration", help: "a name is declared twice in the same scope" },
  WBPF1011: { title: "missing return", help: "a program can reach its end without returning a value" },
  WBPF1012: { title: "invalid program declaration", help: "top-level code must be `export function name(ctx: Ctx): i32 { ... }`" },
  WBPF1013: { title: "unresolved interpolation", help: "the host program's `${...}` could not be resolved at build time" },
  WBPF1014: { title: "interpolation of the wrong kind", help: "a map used as a value, or a constant used as a map" },
  WBPF1015: { title: "non-constant argument", help: "an argument that must be a compile-time constant is not" },
  WBPF1016: { title: "packet read without a bound", help: "a packet read at a constant offset that no earlier comparison with the packet end covers on that path" },
  WBPF1020: { title: "invalid format string", help: "a printk format the kernel would refuse, or an argument that does not match its conversion" },
  WBPF1017: { title: "unknown kernel struct or field", help: "a KernelStruct<\"name\"> names a struct the kernel types do not have, or reads a field the struct does not have" },
  WBPF1018: { title: "unsupported kernel field", help: "a kernel struct field whose type templates cannot read (floats, function pointers, arrays of arrays, bitfields spanning more than 8 bytes), or an anonymous struct kept in a local" },
  WBPF1030: { title: "loop without a provable bound", help: "the compiler cannot show that a loop ends: its condition must compare a counter with a constant, and the counter must step toward it once per iteration" },
  WBPF1031: { title: "misplaced control flow", help: "`break` outside a loop or switch, `continue` outside a loop, or a switch case that is not a distinct constant" },
  WBPF2001: { title: "wrong map key type", help: "the key does not have (or widen to) the map's key type" },
  WBPF2002: { title: "wrong map value type", help: "the value does not have (or widen to) the map's value type" },
  WBPF2003: { title: "map method not available", help: "the map kind does not support this operation" },
  WBPF2004: { title: "ring buffer record not released", help: "a record from `reserve` can reach a return without `submit` or `discard`" },
  WBPF3001: { title: "stack too large", help: "the program needs more than the kernel's 512 bytes of stack" },
  WBPF3002: { title: "loop too long for the verifier", help: "the kernel's verifier walks every iteration of a loop (1,000,000 instructions in all); use bpf_loop for long loops" },
  WBPF3003: { title: "too many values live at once", help: "more values are alive at once than BPF's ten registers hold, and spilling the rest to the stack would take it past 512 bytes" },
  WBPF4001: { title: "invalid struct declaration", help: "a defstruct(...) call the build cannot lay out: non-literal name or fields, an unknown field type, a bad option" },
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** A span in template `text` offsets (the front end's coordinates). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Collects diagnostics for one template, converting template offsets to host offsets
 * (`text` offset + `src.start`) in one place so no phase does the arithmetic itself.
 */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  /** WBPF1007 messages given in the function being checked (`beginFunction` resets them). */
  private nullChecks = new Set<string>();
  constructor(private readonly hostStart: number) {}

  /** A new function or program: an unchecked pointer there is a mistake of its own. */
  beginFunction(): void {
    this.nullChecks = new Set();
  }

  error(code: DiagnosticCode, span: Span, message: string, related?: readonly (SourceLocation & { message: string })[]): void {
    // One unchecked pointer is one mistake: its later uses in the function would repeat it.
    if (code === "WBPF1007") {
      if (this.nullChecks.has(message)) return;
      this.nullChecks.add(message);
    }
    const d: Diagnostic = {
      code,
      severity: "error",
      start: span.start + this.hostStart,
      length: Math.max(0, span.end - span.start),
      message,
      ...(related && related.length > 0 ? { related } : {}),
    };
    this.list.push(d);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }

  /** Whether one of the first `count` diagnostics is an error inside `span`. */
  errorWithin(span: Span, count: number): boolean {
    const from = span.start + this.hostStart;
    const to = span.end + this.hostStart;
    return this.list.slice(0, count).some((d) => d.severity === "error" && d.start >= from && d.start < to);
  }
}
