// The hello function on node:http alone: the baseline ($PORT).
const http = require('node:http');

http
  .createServer((req, res) => {
    const name = new URL(req.url, 'http://localhost').searchParams.get('name') || 'World';
    res.end(`Hello, ${name}!\n`);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
