// Reads {"schema": ..., "samples": [...]} on stdin; prints one line per sample: "valid" or "invalid <first error>".
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { schema, samples } = JSON.parse(input);
const ajv = new Ajv2020({ strict: true, allErrors: false });
addFormats(ajv);
const validate = ajv.compile(schema);
for (const sample of samples) {
  const ok = validate(sample);
  console.log(ok ? "valid" : `invalid ${validate.errors[0].instancePath} ${validate.errors[0].message}`);
}
