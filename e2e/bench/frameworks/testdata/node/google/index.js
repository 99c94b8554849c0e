// The hello function written as @google-cloud/functions-framework documents
// it; served by Google's framework, or by Kiln's with KILN_FUNCTION_COMPAT=google.
const functions = require('@google-cloud/functions-framework');

functions.http('helloWorld', (req, res) => {
  res.send(`Hello, ${req.query.name || 'World'}!\n`);
});
