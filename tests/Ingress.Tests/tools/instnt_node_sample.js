#!/usr/bin/env node
// Signs stdin the way Instnt's webhook doc's Node sample verifies it, independent of the code under test:
//   digest: hash = sha256(payload) as base64; RSA-SHA256 over update(hash, 'base64') (the digest's bytes)
//   body:   RSA-SHA256 over the payload itself (the doc's prose: "validate the signature against the hash digest")
// usage: instnt_node_sample.js digest|body PRIVATE_KEY_PEM_FILE < payload   -> base64 signature on stdout
'use strict';
const { readFileSync } = require('fs');
const { createSign, createHash } = require('crypto');

const [mode, keyFile] = process.argv.slice(2);
const payload = readFileSync(0);
const key = readFileSync(keyFile);
const signer = createSign('RSA-SHA256');
if (mode === 'digest') {
  const hash = createHash('sha256').update(payload).digest().toString('base64');
  signer.update(hash, 'base64');
} else if (mode === 'body') {
  signer.update(payload);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
process.stdout.write(signer.sign(key, 'base64'));
