/**
 * Parsing tracefs `format` files (/sys/kernel/tracing/events/<group>/<name>/format): the
 * layout of a tracepoint's context record. Pure: text in, fields out.
 *
 *   field:const char * filename;	offset:24;	size:8;	signed:0;
 *   field:char prev_comm[16];	offset:8;	size:16;	signed:0;
 *   field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
 *
 * A `__data_loc` field is a u32: the low 16 bits are the offset of the data from the start of
 * the record, the high 16 bits its length.
 */
import { WhistlerError } from "../../runtime/errors.js";

export type TracepointFieldKind = "int" | "pointer" | "array" | "data_loc";

export interface TracepointField {
  readonly name: string;
  /** The C type as tracefs spells it, e.g. "const char *", "char[16]", "__data_loc char[]". */
  readonly cType: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  readonly kind: TracepointFieldKind;
  /** Arrays: element count and size (`char prev_comm[16]`: 16 of 1). */
  readonly length?: number;
  readonly elementSize?: number;
  /** `common_*` fields every record starts with. */
  readonly common: boolean;
}

export interface TracepointFormat {
  /** "group/name" */
  readonly name: string;
  readonly fields: readonly TracepointField[];
  /** Bytes up to the end of the last field. */
  readonly size: number;
}

/** A tracefs format file (or snapshot entry) could not be parsed. */
export class TracefsFormatError extends WhistlerError {}

/** One field from its declaration ("const char * filename") and numbers. */
export function parseField(decl: string, offset: number, size: number, signed: boolean, where: string): TracepointField {
  const d = decl.trim();
  const m = /^(.*?)\s*\b([A-Za-z_][A-Za-z0-9_]*)\s*(\[\s*([0-9]*)\s*\])?$/.exec(d);
  if (!m) throw new TracefsFormatError(`${where}: cannot read the field declaration "${decl}"`);
  const [, type = "", name = "", bracket, count] = m;
  const common = name.startsWith("common_");
  if (/^__data_loc\b/.test(type)) {
    return { name, cType: bracket ? `${type}[]` : type, offset, size, signed, kind: "data_loc", common };
  }
  if (bracket !== undefined) {
    const length = count ? Number(count) : 0;
    const elementSize = length > 0 ? size / length : size;
    return { name, cType: `${type}[${count ?? ""}]`, offset, size, signed, kind: "array", length, elementSize, common };
  }
  return { name, cType: type, offset, size, signed, kind: type.includes("*") ? "pointer" : "int", common };
}

const FIELD_LINE = /^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);\s*$/;

/** Parses the text of a format file; `name` ("group/name") is for messages and the result. */
export function parseFormat(name: string, text: string): TracepointFormat {
  const fields: TracepointField[] = [];
  let inFormat = false;
  for (const [i, line] of text.split("\n").entries()) {
    if (line.startsWith("format:")) {
      inFormat = true;
      continue;
    }
    if (line.startsWith("print fmt:")) break;
    if (!inFormat || line.trim() === "") continue;
    const m = FIELD_LINE.exec(line);
    if (!m) throw new TracefsFormatError(`${name} format, line ${i + 1}: expected "field:<decl>; offset:N; size:N; signed:0|1;", got "${line.trim()}"`);
    fields.push(parseField(m[1]!, Number(m[2]), Number(m[3]), m[4] === "1", `${name} format, line ${i + 1}`));
  }
  if (fields.length === 0) throw new TracefsFormatError(`${name}: the format has no fields`);
  return { name, fields, size: Math.max(...fields.map((f) => f.offset + f.size)) };
}
