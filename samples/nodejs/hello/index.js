// Kiln's hello-world HTTP function: kiln build samples/nodejs/hello --target helloWorld
exports.helloWorld = (req, res) => {
  res.send(`Hello, ${req.query.name || 'World'}!\n`);
};
