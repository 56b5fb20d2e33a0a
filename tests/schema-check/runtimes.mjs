// Judges strict schemas as two real tools do. Reads {"cases": [{"name", "schema", "instances": [...]}]} on stdin and
// prints one JSON line per case: {"name", "ajv": [bool per instance], "xgrammar": [bool per instance], "error"?}.
//   ajv:      Ajv (draft 2020-12, strict) compiles the schema and validates each instance.
//   xgrammar: xgrammar (vLLM's default structured-output engine, here its WebAssembly build @mlc-ai/web-xgrammar)
//             compiles the schema as vLLM does (any whitespace, strict: no properties beyond the schema's) into a
//             grammar over a byte-level vocabulary; each instance's JSON is fed to a GrammarMatcher one byte-token at a
//             time, then the stop token: true when every token is accepted and the matcher terminates.
import Ajv2020 from "ajv/dist/2020.js";
import { createRequire, Module } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

// web-xgrammar 0.1.27 ships a UMD bundle under "type": "module": Node's ESM loader finds no named exports in it and
// the bundle expects CommonJS's require and __filename. Compiled as the CommonJS module it is, it loads and runs.
function loadXgrammar() {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve("@mlc-ai/web-xgrammar/package.json")), "lib", "index.js");
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  module._compile(readFileSync(file, "utf8"), file);
  return module.exports;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { cases } = JSON.parse(input);

const { GrammarCompiler, GrammarMatcher, TokenizerInfo } = loadXgrammar();
// One token per byte (<0x00>…<0xFF>, as byte-fallback tokenizers name them) and a stop token: any text is a token
// sequence, so a grammar that accepts these tokens accepts exactly the instance's bytes.
const vocab = Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`);
vocab.push("</s>");
const stop = 256;
const tokenizer = await TokenizerInfo.createTokenizerInfo(vocab, "byte_fallback", false, vocab.length, [stop]);
const compiler = await GrammarCompiler.createGrammarCompiler(tokenizer);

for (const { name, schema, instances } of cases) {
  const result = { name, ajv: [], xgrammar: [] };
  try {
    const validate = new Ajv2020({ strict: true, allErrors: false }).compile(schema);
    result.ajv = instances.map(i => validate(i));
    const grammar = await compiler.compileJSONSchema(JSON.stringify(schema));
    for (const instance of instances) {
      const matcher = await GrammarMatcher.createGrammarMatcher(grammar);
      let accepted = true;
      for (const byte of Buffer.from(JSON.stringify(instance), "utf8")) {
        if (!matcher.acceptToken(byte)) {
          accepted = false;
          break;
        }
      }
      result.xgrammar.push(accepted && matcher.acceptToken(stop) && matcher.isTerminated());
      matcher.dispose();
    }
    grammar.dispose();
  } catch (error) {
    result.error = String(error?.message ?? error);
  }
  console.log(JSON.stringify(result));
}
