// Runs a wasm32 size fixture once (node run_wasm.mjs FILE) on the sample cookie and prints what
// `run` returned: proof that the measured module does the work (0 would mean it refused).
import { readFileSync } from "node:fs";

const [file] = process.argv.slice(2);
const here = new URL("..", import.meta.url);
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const { memory, run, alloc_input } = instance.exports;
function put(bytes) {
    const p = alloc_input(bytes.length);
    new Uint8Array(memory.buffer, p, bytes.length).set(bytes);
    return [p, bytes.length];
}
const options = new TextEncoder().encode("session.jwt_secret_keys = sample-secret-key-0123456789\n");
const cookie = new TextEncoder().encode(readFileSync(new URL("examples/sample.cookie", here), "utf8").trim());
const [op, ol] = put(options);
const [cp, cl] = put(cookie);
const n = run(op, ol, cp, cl, 1.7e9);
console.log(n);
process.exit(n > 0 ? 0 : 1);
