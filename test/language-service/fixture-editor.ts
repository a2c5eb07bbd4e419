/**
 * One file of test/fixtures/projects/editor open in a real tsserver (tsserver.ts), with the
 * requests the hover and completion suites make of it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { locate, TsServer, type Location } from "./tsserver.js";

export const EDITOR_PROJECT = path.resolve(import.meta.dirname, "../fixtures/projects/editor");

export interface QuickInfo {
  displayString: string;
  documentation: string;
  start: Location;
  end: Location;
}

/** A completion entry's details, its parts joined. */
export interface EntryDetails {
  readonly display: string;
  readonly documentation: string;
}

export class FixtureEditor {
  private constructor(
    readonly file: string,
    readonly text: string,
    readonly server: TsServer,
    private readonly tmp: string,
  ) {}

  /** Opens `name` (a file of the editor fixture project) and waits for its first diagnostics. */
  static async open(name: string, env: Readonly<Record<string, string>> = {}): Promise<FixtureEditor> {
    const file = path.join(EDITOR_PROJECT, name);
    const text = readFileSync(file, "utf8");
    const tmp = mkdtempSync(path.join(tmpdir(), "whistler-editor-"));
    const server = new TsServer(path.join(tmp, "tsserver.log"), env);
    server.send("open", { file, fileContent: text });
    await server.request("semanticDiagnosticsSync", { file });
    return new FixtureEditor(file, text, server, tmp);
  }

  /** Hover at the `delta`-th character of the `nth` `needle`; undefined where tsserver has nothing. */
  async hover(needle: string, delta: number, nth = 1): Promise<QuickInfo | undefined> {
    try {
      return await this.server.request<QuickInfo | undefined>("quickinfo", { file: this.file, ...locate(this.text, needle, delta, nth) });
    } catch (e) {
      if (e instanceof Error && e.message.includes("No content available")) return undefined;
      throw e;
    }
  }

  /** Details of completion entry `name` at the `delta`-th character of `needle`. */
  async details(needle: string, delta: number, name: string): Promise<EntryDetails> {
    const [d] = await this.server.request<{ displayParts: { text: string }[]; documentation: { text: string }[] }[]>(
      "completionEntryDetails", { file: this.file, ...locate(this.text, needle, delta), entryNames: [name] });
    if (!d) throw new Error(`no completion entry '${name}' at '${needle}'`);
    return { display: d.displayParts.map((p) => p.text).join(""), documentation: d.documentation.map((p) => p.text).join("") };
  }

  /**
   * A completion entry's details and the hover at a use of the same name, as display and
   * documentation each: the editor builds both with one function, so the two must be equal.
   */
  async detailsBesideHover(at: { needle: string; delta: number; name: string }, hoverAt: { needle: string; delta: number }): Promise<{ details: EntryDetails; hover: EntryDetails }> {
    const details = await this.details(at.needle, at.delta, at.name);
    const q = await this.hover(hoverAt.needle, hoverAt.delta);
    if (!q) throw new Error(`no hover at '${hoverAt.needle}'`);
    return { details, hover: { display: q.displayString, documentation: q.documentation } };
  }

  /**
   * Replaces characters `from` to `to` of `needle` with `insert`. Positions are those of the
   * file as first read, so edits keep lengths, or are undone before the next one.
   */
  replace(needle: string, from: number, to: number, insert: string): void {
    const end = locate(this.text, needle, to);
    this.server.send("change", { file: this.file, ...locate(this.text, needle, from), endLine: end.line, endOffset: end.offset, insertString: insert });
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
