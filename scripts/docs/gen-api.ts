/** `npm run docs:api`: writes docs/API.md from the TSDoc of the package's exports. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { apiMarkdown } from "./api-doc.js";

const root = path.resolve(import.meta.dirname, "../../..");
const md = apiMarkdown(root);
writeFileSync(path.join(root, "docs/API.md"), md);
process.stdout.write(`wrote docs/API.md (${md.split("\n").length} lines)\n`);
