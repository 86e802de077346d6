// Builds the browser page into dist/web/: index.html and app.js, one classic script holding the
// page, Vega, and the Web Worker's bundle (with build/kernels.wasm inlined) as text, so that the
// page runs from file:// (where neither modules nor worker files may be loaded) and from any
// static host; and rnn-lyapunov.js, the library for browsers (rnn-lyapunov/browser) as one ES
// module with the kernels inlined. The build fails if anything on the way imports a node: module.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The browser's kernel source in place of the Node one (src/linalg/kernel-wasm-source.ts reads a file). */
const browserKernelSource = {
  name: 'browser-kernel-source',
  setup(builder) {
    builder.onResolve({ filter: /\/kernel-wasm-source\.js$/ }, (args) => ({
      path: join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts')),
    }));
  },
};

const common = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, legalComments: 'none', write: false, plugins: [browserKernelSource], logLevel: 'warning' };

/** Writes index.html (its Content-Security-Policy included), app.js and rnn-lyapunov.js to `out`. */
export async function buildWeb(out = join(root, 'dist', 'web')) {
  const kernels = { KERNELS_WASM_BASE64: JSON.stringify(readFileSync(join(root, 'build', 'kernels.wasm')).toString('base64')) };
  const worker = await build({ ...common, entryPoints: [join(root, 'src/web/spectrum-worker.ts')], outfile: 'spectrum-worker.js', define: kernels });
  const library = await build({ ...common, format: 'esm', entryPoints: [join(root, 'src/web/library-bundle.ts')], outfile: 'rnn-lyapunov.js', define: kernels });
  const app = await build({
    ...common, entryPoints: [join(root, 'src/web/app.ts')], outfile: 'app.js',
    define: { SPECTRUM_WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text) },
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'app.js'), app.outputFiles[0].contents);
  writeFileSync(join(out, 'rnn-lyapunov.js'), library.outputFiles[0].contents);
  copyFileSync(join(root, 'src/web/index.html'), join(out, 'index.html'));
  return out;
}

// `node scripts/build-web.mjs [OUT]` (default dist/web).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`wrote ${await buildWeb(process.argv[2])}/{index.html,app.js,rnn-lyapunov.js}\n`);
}
