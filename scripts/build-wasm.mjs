// Compiles the AssemblyScript kernels (asm/) to build/kernels.wasm: float64 and float32
// instantiations of the same generic kernels, 128-bit SIMD, no relaxed SIMD (Node 20 needs a flag
// for it), no garbage-collected runtime (memory is managed from JavaScript). Runs during `npm ci`
// through the build script; the .wasm is not committed.
import asc from 'assemblyscript/asc';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'build', 'kernels.wasm');
// Compile next to the target and rename over it: a process loading build/kernels.wasm meanwhile
// (tests, a running spectrum) sees the old module or the new one, never a partly written file.
const partFile = `${outFile}.${process.pid}.part`;
mkdirSync(dirname(outFile), { recursive: true });

const { error, stderr } = await asc.main([
  join(root, 'asm', 'index.ts'),
  '--outFile', partFile,
  '-O3', '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd',
]);
process.stderr.write(stderr.toString());
if (error) {
  rmSync(partFile, { force: true });
  console.error(`build-wasm: AssemblyScript compilation failed: ${error.message}`);
  process.exit(1);
}
renameSync(partFile, outFile);
console.log(`build-wasm: wrote ${outFile}`);
