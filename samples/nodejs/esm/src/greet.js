// An ES module function (package.json "type": "module", "main" points here).
export async function greet(req, res) {
  res.json({ greeting: `Hello, ${req.query.name || 'ESM'}!`, method: req.method });
}
