// Puts the query page's editor into the package's static files: YASGUI (@zazuko/yasgui, the
// maintained fork of Triply's YASGUI) as npm ships it, already bundled with its dependencies
// (CodeMirror, DataTables, ...), so the page loads it from the site's own origin. Run by
// `npm run build` after `npm ci`; setup.py's build step runs both.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "@zazuko", "yasgui");
const target = join(root, "src", "clusterkg", "web", "static", "vendor");
const files = { "yasgui.min.js": "yasgui.js", "yasgui.min.css": "yasgui.css" };

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  // The source-map comment would make browsers' devtools ask for a file that is not shipped.
  const text = readFileSync(join(source, "build", from), "utf8").replace(/\n?\/[/*]# sourceMappingURL=\S+\s*(\*\/)?\s*$/, "\n");
  writeFileSync(join(target, to), text);
}
const version = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;
writeFileSync(join(target, "VERSION"), `@zazuko/yasgui ${version}\n`);
console.log(`YASGUI ${version} -> ${target}`);
