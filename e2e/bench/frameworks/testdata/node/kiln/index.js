// The hello function for Kiln's Node.js framework (FUNCTION_TARGET=helloWorld).
exports.helloWorld = (req, res) => {
  res.send(`Hello, ${req.query.name || 'World'}!\n`);
};
