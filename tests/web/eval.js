// Evaluates one JavaScript function against the page-side explorer code, in node.
// Usage: node eval.js FILE.js... < {"code": "(E, input) => ...", "input": ...} ; prints the JSON result.
"use strict";
const fs = require("fs");
const vm = require("vm");

// The page-side files run in node's own global context, as scripts run in a page. (In a
// vm.createContext sandbox every global lookup, Math and Array included, goes through an
// interceptor: the twins ran 3 times slower there.) The browser tests run the same files in Chromium.
for (const file of process.argv.slice(2)) {
  vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
}
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const result = vm.runInThisContext(`(${request.code})`)(globalThis.cnnbookExplorers, request.input);
process.stdout.write(JSON.stringify(result));
