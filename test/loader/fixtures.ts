/** Paths and bytes of the committed clang fixtures. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/clang/${name}`, import.meta.url));
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}
