// Several functions in one file, registered the declarative way; the build's
// FUNC_NAME (kiln build --target) picks the one the image serves.
const functions = require('@google-cloud/functions-framework');

functions.http('hello', (req, res) => res.send('hello from multi'));
functions.http('goodbye', (req, res) => res.send('goodbye from multi'));
functions.cloudEvent('onEvent', (cloudEvent) => {
  console.log(`multi got ${cloudEvent.id}`);
});
