/**
 * Finding a run-time template in its host file, so a run-time compile sees what a build-time
 * compile sees: the same file name and host offsets (line info, messages) and the same map
 * names (the interpolated identifiers). The call site comes from the stack when the tag ran;
 * the template is accepted only if the file's text at that place matches its raw strings.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CallSite } from "../runtime/template.js";

export interface HostTemplate {
  readonly fileName: string;
  readonly hostText: string;
  /** Offset of the template body (after the backtick). */
  readonly start: number;
  /** Source text of each `${...}` expression, as written (untrimmed). */
  readonly expressions: readonly string[];
}

function offsetOf(text: string, line: number, column: number): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return undefined;
    offset = nl + 1;
  }
  return offset + column - 1;
}

export function findHostTemplate(site: CallSite | undefined, strings: readonly string[]): HostTemplate | undefined {
  if (!site) return undefined;
  let fileName: string;
  let hostText: string;
  try {
    fileName = site.file.startsWith("file:") ? fileURLToPath(site.file) : site.file;
    hostText = readFileSync(fileName, "utf8");
  } catch {
    return undefined;
  }
  const at = offsetOf(hostText, site.line, site.column);
  if (at === undefined) return undefined;
  const tick = hostText.indexOf("`", at);
  if (tick < 0) return undefined;
  const start = tick + 1;
  // Walk the raw strings through the host text; each `${...}` between them is an expression.
  const expressions: string[] = [];
  let pos = start;
  for (let i = 0; i < strings.length; i++) {
    const raw = strings[i]!;
    if (hostText.slice(pos, pos + raw.length) !== raw) return undefined;
    pos += raw.length;
    if (i === strings.length - 1) break;
    if (!hostText.startsWith("${", pos)) return undefined;
    const close = hostText.indexOf("}", pos);
    if (close < 0) return undefined;
    expressions.push(hostText.slice(pos + 2, close));
    pos = close + 1;
  }
  return hostText[pos] === "`" ? { fileName, hostText, start, expressions } : undefined;
}

/** The map name a build-time compile would give: the interpolated identifier (last segment). */
export function nameFromExpression(expr: string | undefined): string | undefined {
  const e = expr?.trim();
  if (e === undefined || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(e)) return undefined;
  return e.slice(e.lastIndexOf(".") + 1);
}
