// The functions the conformance harness (e2e/conformance) drives: each writes
// what it received to function_output.json in its working directory.
const fs = require('node:fs');

const OUTPUT = 'function_output.json';

// http writes the request body to OUTPUT, after sleeping ?sleep= (e.g. 1s).
exports.http = async (req, res) => {
  const sleep = /^(\d+(?:\.\d+)?)s$/.exec(req.query.sleep || '');
  if (sleep) {
    await new Promise((r) => setTimeout(r, Number(sleep[1]) * 1000));
    return res.send();
  }
  fs.writeFileSync(OUTPUT, req.rawBody);
  res.send();
};

// cloudEvent writes the event, in structured JSON form, to OUTPUT.
exports.cloudEvent = (event) => {
  fs.writeFileSync(OUTPUT, JSON.stringify(event));
};
