// The load test's peer: a Node server answering from memory with the same
// bytes and ETag as Herald, the best case of a Node feed server such as
// RSSHub. Usage: node peer.js PORT FEED_FILE ETAG (FEED_FILE.gz beside it).
const http = require('http');
const fs = require('fs');
const [port, file, etag] = process.argv.slice(2);
const plain = fs.readFileSync(file);
const gz = fs.readFileSync(file + '.gz');
const gzTag = etag.slice(0, -1) + '-gzip"';
http.createServer((req, res) => {
  const gzip = /\bgzip\b(?!;q=0(\.0*)?(,|$))/.test(req.headers['accept-encoding'] || '');
  const tag = gzip ? gzTag : etag;
  const headers = { 'ETag': tag, 'Vary': 'Accept-Encoding', 'Cache-Control': 'public, max-age=300' };
  const inm = req.headers['if-none-match'];
  if (inm && (inm === etag || inm === gzTag)) { res.writeHead(304, headers); res.end(); return; }
  headers['Content-Type'] = 'application/rss+xml; charset=utf-8';
  if (gzip) headers['Content-Encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(gzip ? gz : plain);
}).listen(port, '127.0.0.1');
