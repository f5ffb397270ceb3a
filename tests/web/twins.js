// Runs the explorers' page-side twins in node, for tests/test_web_explorers.py.
// Usage: node twins.js FILE.js... < requests.json > states.json
// requests.json: [{"explorer": name, "data": {...}, "settings": [{...}, ...]}, ...]
// Prints, per request, the list of computed states (and slider limits when the
// twin has them); a twin that throws gives {"thrown": message}.
"use strict";
const fs = require("fs");
const vm = require("vm");

// The page-side files run in node's own global context, as scripts run in a page. (In a
// vm.createContext sandbox every global lookup, Math and Array included, goes through an
// interceptor: the twins ran 3 times slower there.) The browser tests run the same files in Chromium.
for (const file of process.argv.slice(2)) {
  vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
}
const E = globalThis.cnnbookExplorers;
const requests = JSON.parse(fs.readFileSync(0, "utf8"));
const answers = requests.map((request) => {
  const twin = E.explorers[request.explorer];
  if (!twin) {
    return { missing: request.explorer };
  }
  return request.settings.map((settings) => {
    try {
      const out = { state: twin.compute(JSON.parse(JSON.stringify(settings)), request.data || {}) };
      if (twin.limits) {
        out.limits = twin.limits(JSON.parse(JSON.stringify(settings)), request.data || {});
      }
      return out;
    } catch (err) {
      return { thrown: String(err && err.stack || err) };
    }
  });
});
process.stdout.write(JSON.stringify(answers));
