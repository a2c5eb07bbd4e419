/**
 * Template texts found in the repository's own sources, for differential parser tests:
 * every `bpf` tagged template (interpolations replaced by same-length placeholders, as
 * plugin/templates.ts does) in test/, examples/, bench/ and the ```ts blocks of docs/*.md,
 * plus every other template or string literal in test/ that looks like a template body
 * (`${name}` holes replaced by placeholders, as test/compiler/helpers.ts `template()` does)
 * or like statements (then as the body of a program).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { placeholderFor } from "../../transformer/plugin/templates.js";

export interface CorpusEntry {
  /** file:line of the literal. */
  readonly where: string;
  readonly text: string;
  /** A `bpf` tagged template (the rest are string literals that may or may not be templates). */
  readonly tagged: boolean;
}

function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules" && name !== "out" && name !== "dist") out.push(...filesUnder(p, ext));
    } else if (name.endsWith(ext) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Raw text of a tagged template with each `${...}` replaced by a placeholder of its length. */
function taggedText(sf: ts.SourceFile, tpl: ts.TemplateLiteral): string {
  const start = tpl.getStart(sf) + 1;
  let text = sf.text.slice(start, tpl.getEnd() - 1);
  if (ts.isTemplateExpression(tpl)) {
    let prev: ts.TemplateLiteralLikeNode = tpl.head;
    tpl.templateSpans.forEach((span, i) => {
      const from = prev.getEnd() - 2 - start;
      const to = span.literal.getStart(sf) + 1 - start;
      const filler = placeholderFor(i, to - from) ?? "$".padEnd(to - from, "_");
      text = text.slice(0, from) + filler + text.slice(to);
      prev = span.literal;
    });
  }
  return text;
}

/** Cooked text of a literal, `${...}` holes (real or written out) replaced by placeholders. */
function cookedText(lit: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression): string {
  let text = ts.isTemplateExpression(lit)
    ? lit.head.text + lit.templateSpans.map((s, i) => `$${i}___${s.literal.text}`).join("")
    : lit.text;
  let n = 0;
  text = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole) => (`$${n++}` + "_".repeat(whole.length)).slice(0, whole.length));
  return text;
}

function collect(sf: ts.SourceFile, where: string, out: CorpusEntry[], untagged: boolean): void {
  const line = (n: ts.Node): string => `${where}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && /(^|\.)bpf$/.test(node.tag.getText(sf))) {
      out.push({ where: line(node), text: taggedText(sf, node.template), tagged: true });
    } else if (untagged && (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) || ts.isStringLiteral(node))) {
      const text = cookedText(node);
      if (/\bfunction\b/.test(text) && /[{}]/.test(text)) out.push({ where: line(node), text, tagged: false });
      // A statement fragment (packet cases, near misses): as the body of a program.
      else if (/;/.test(text) && /\breturn\b|=/.test(text)) out.push({ where: line(node), text: `export function p(ctx: Xdp): i32 {\n${text}\n}`, tagged: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

/** The corpus: tagged templates first (in file order), then the other literals. */
export function templateCorpus(repoRoot: string): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const dir of ["test", "examples", "bench"]) {
    for (const file of filesUnder(path.join(repoRoot, dir), ".ts")) {
      const rel = path.relative(repoRoot, file);
      const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      collect(sf, rel, out, dir === "test");
    }
  }
  for (const file of filesUnder(path.join(repoRoot, "docs"), ".md")) {
    const md = readFileSync(file, "utf8");
    let k = 0;
    for (const m of md.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
      const sf = ts.createSourceFile(`${file}#${k++}.ts`, m[1]!, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      collect(sf, `${path.relative(repoRoot, file)}#block${k}`, out, false);
    }
  }
  return out;
}
