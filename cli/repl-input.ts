/**
 * Scripted REPL input (`whistler repl < session.txt`, or a pipe from another program).
 *
 * Node's REPL reads every piped line as soon as it arrives, so `const obj = await load(p)`
 * would still be pending when the next line uses `obj`. This stream hands the REPL one line
 * at a time, only after it printed its prompt again (the previous line finished, awaits
 * included), and echoes each line after the prompt so the output reads as a transcript.
 */
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import type { REPLServer } from "node:repl";

export interface PacedInput {
  /** The stream to give `repl.start({ input })`. */
  readonly stream: PassThrough;
  /** Call once the REPL exists: it starts feeding lines at each prompt. */
  attach(server: REPLServer): void;
}

export function pacedInput(source: NodeJS.ReadableStream, echo: NodeJS.WritableStream): PacedInput {
  const stream = new PassThrough();
  const queue: string[] = [];
  let ended = false;
  let ready = false;

  const pump = (): void => {
    if (!ready) return;
    const line = queue.shift();
    if (line !== undefined) {
      ready = false;
      echo.write(`${line}\n`);
      stream.write(`${line}\n`);
    } else if (ended) {
      stream.end();
    }
  };

  const lines = createInterface({ input: source, crlfDelay: Infinity });
  lines.on("line", (l) => {
    queue.push(l);
    pump();
  });
  lines.on("close", () => {
    ended = true;
    pump();
  });

  return {
    stream,
    attach(server) {
      const displayPrompt = server.displayPrompt.bind(server);
      server.displayPrompt = (preserveCursor?: boolean): void => {
        displayPrompt(preserveCursor);
        ready = true;
        // After the REPL finished its own bookkeeping for this prompt.
        setImmediate(pump);
      };
      ready = true;
      setImmediate(pump);
    },
  };
}
