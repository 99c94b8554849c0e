// Several functions in one source; FUNC_NAME (kiln build --target) picks one.
exports.hello = (req, res) => res.send('hello from multi\n');
exports.goodbye = (req, res) => res.send('goodbye from multi\n');
exports.echo = (req, res) => res.status(200).json({ youSent: req.body });
