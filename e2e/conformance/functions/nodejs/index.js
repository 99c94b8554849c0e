// The functions the conformance harness (e2e/conformance) drives: each writes
// what it received to function_output.json in its working directory.
const fs = require('node:fs');

const OUTPUT = 'function_output.json';
const BARRIER_WAIT_MS = 30000;

// Calls waiting at each barrier ID: { arrived, left, release, full }.
const barriers = new Map();

/** Resolves, once parties calls have arrived at barrier id or after the wait, with how many arrived. */
async function barrier(id, parties) {
  let b = barriers.get(id);
  if (!b) {
    b = { arrived: 0, left: 0 };
    b.full = new Promise((resolve) => { b.release = resolve; });
    barriers.set(id, b);
  }
  if (++b.arrived === parties) b.release();
  let timer;
  await Promise.race([b.full, new Promise((resolve) => { timer = setTimeout(resolve, BARRIER_WAIT_MS); })]);
  clearTimeout(timer);
  if (++b.left === b.arrived) barriers.delete(id);
  return b.arrived;
}

// http writes the request body to OUTPUT. ?barrier=ID&parties=N waits (at
// most 30 s) until N calls with this ID are inside at once and answers how
// many arrived; ?sleep=1.5s sleeps, first writing {"started": id} to OUTPUT
// when &id= is given.
exports.http = async (req, res) => {
  if (req.query.barrier) {
    const parties = Number(req.query.parties);
    if (!Number.isInteger(parties) || parties < 1 || parties > 1000) return res.status(400).send('parties: want 1-1000');
    return res.send(String(await barrier(req.query.barrier, parties)));
  }
  const sleep = /^(\d+(?:\.\d+)?)s$/.exec(req.query.sleep || '');
  if (sleep) {
    if (req.query.id) fs.writeFileSync(OUTPUT, JSON.stringify({ started: req.query.id }));
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

// openFunction (the OpenFunction signature) answers 200 with what it received.
exports.openFunction = async (ctx, data) => ctx.out(200, data === undefined ? '' : data);
