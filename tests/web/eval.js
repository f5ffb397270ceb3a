// Evaluates one JavaScript function against the page-side explorer code, in node.
// Usage: node eval.js FILE.js... < {"code": "(E, input) => ...", "input": ...} ; prints the JSON result.
"use strict";
const fs = require("fs");
const vm = require("vm");

const context = vm.createContext({ console });
for (const file of process.argv.slice(2)) {
  vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
}
const request = JSON.parse(fs.readFileSync(0, "utf8"));
context.__input = request.input;
const result = vm.runInContext(`(${request.code})(cnnbookExplorers, __input)`, context);
process.stdout.write(JSON.stringify(result));
