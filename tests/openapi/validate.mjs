// Validates the OpenAPI document read from standard input with
// @seriousme/openapi-schema-validator (the official OAS JSON Schemas, run by ajv) and
// prints one JSON line: {"valid": bool, "version": "3.1" | null, "errors": [...]}.
// Run by tests/support/openapi_validator.rs; exits 0 whether or not the document is
// valid (the test reads the verdict), non-zero only when it cannot judge.
import { Validator } from "@seriousme/openapi-schema-validator";

const MAX_BYTES = 16 * 1024 * 1024;

let text = "";
for await (const chunk of process.stdin) {
  text += chunk;
  if (text.length > MAX_BYTES) {
    console.error(`the document is larger than ${MAX_BYTES} bytes`);
    process.exit(2);
  }
}
let document;
try {
  document = JSON.parse(text);
} catch (e) {
  console.error(`the document is not JSON: ${e.message}`);
  process.exit(2);
}
const validator = new Validator();
const result = await validator.validate(document);
let refsResolve = null;
if (result.valid) {
  try {
    validator.resolveRefs();
    refsResolve = true;
  } catch (e) {
    refsResolve = String(e.message ?? e);
  }
}
console.log(
  JSON.stringify({
    valid: result.valid,
    version: result.valid ? validator.version : null,
    errors: result.errors ?? [],
    refsResolve,
  }),
);
