// A function with a dependency from the npm registry (installed by kiln/npm-install).
const isNumber = require('is-number');

exports.check = (req, res) => {
  res.json({ value: req.query.value, isNumber: isNumber(req.query.value) });
};
