// Validates one glTF/GLB file with the Khronos glTF validator and prints the
// report as JSON on stdout. Exit status: 0 when the report has no errors,
// 1 when it has errors, 2 when the file cannot be read or validated.
// Usage: node tests/js/validate.mjs FILE.glb
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import validator from 'gltf-validator';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE.glb');
  process.exit(2);
}

try {
  const bytes = new Uint8Array(await readFile(file));
  const report = await validator.validateBytes(bytes, {
    uri: path.basename(file),
    maxIssues: 200,
    // A GLB built by avatarcast is self-contained; refuse external URIs.
    externalResourceFunction: (uri) =>
      Promise.reject(new Error(`external resource not allowed: ${uri}`)),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.issues.numErrors > 0 ? 1 : 0);
} catch (err) {
  console.error(`could not validate ${file}: ${err}`);
  process.exit(2);
}
