// Checks the catalog pages in Debian's chromium and the AsyncAPI export: for each page URL,
// no horizontal overflow at 390 px (document width equals viewport width) and no serious or
// critical axe-core violation; for each AsyncAPI document, zero parser errors.
// Usage: node audit.cjs PAGES_FILE ASYNCAPI_FILE...; prints one line per failure, exits 1 on any.
const fs = require("fs");
const puppeteer = require("puppeteer-core");
const axe = require("axe-core");
const { Parser } = require("@asyncapi/parser");
const { AvroSchemaParser } = require("@asyncapi/avro-schema-parser");
const { ProtoBuffSchemaParser } = require("@asyncapi/protobuf-schema-parser");

async function pages(urls, failures) {
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    for (const url of urls) {
      await page.setViewport({ width: 390, height: 844 });
      await page.goto(url, { waitUntil: "load" });
      const [doc, view] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        window.innerWidth,
      ]);
      if (doc !== view) failures.push(`${url}: document is ${doc} px wide in a ${view} px viewport`);
      await page.setViewport({ width: 1280, height: 1000 });
      await page.evaluate(axe.source);
      const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          const where = v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ");
          failures.push(`${url}: axe ${v.impact} ${v.id} (${v.help}) at ${where}`);
        }
      }
      console.log(`checked ${url}`);
    }
  } finally {
    await browser.close();
  }
}

async function asyncapi(files, failures) {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  parser.registerSchemaParser(ProtoBuffSchemaParser());
  for (const file of files) {
    const { document, diagnostics } = await parser.parse(fs.readFileSync(file, "utf8"));
    const errors = diagnostics.filter((d) => d.severity === 0);
    for (const e of errors) failures.push(`${file}: ${e.code} ${e.message} at ${(e.path || []).join(".")}`);
    if (!document && errors.length === 0) failures.push(`${file}: no document`);
    console.log(`parsed ${file}: ${errors.length} errors`);
  }
}

(async () => {
  const [pagesFile, ...docs] = process.argv.slice(2);
  const failures = [];
  const urls = fs.readFileSync(pagesFile, "utf8").split("\n").filter(Boolean);
  await pages(urls, failures);
  await asyncapi(docs, failures);
  for (const f of failures) console.log(`FAIL ${f}`);
  process.exit(failures.length ? 1 : 0);
})().catch((e) => {
  console.log(`FAIL ${e.stack || e}`);
  process.exit(1);
});
