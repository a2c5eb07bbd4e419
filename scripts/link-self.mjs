// Makes `whistler-ts` resolvable by name from inside this repository (node_modules/whistler-ts
// -> the repo), as it is in a user's project: tools such as ts-patch resolve plugins with
// require.resolve from the project directory, where a package's self-reference does not apply.
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const link = join(root, "node_modules", "whistler-ts");
mkdirSync(dirname(link), { recursive: true });
if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) {
  if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === "..") process.exit(0);
  rmSync(link, { recursive: true, force: true });
}
symlinkSync("..", link, "dir");
