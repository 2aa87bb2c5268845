// Installs the official SDKs that ConformanceTest drives (npm install), with a time limit per attempt and
// retries: npm can hang on a tarball download that stalls mid-way, past its own fetch timeout (seen once on
// this project's CI machine: 14 minutes on one package until killed), and a build must not hang with it.
import { spawnSync } from 'node:child_process';

const ATTEMPTS = 3;
const ATTEMPT_MS = 180_000;
const windows = process.platform === 'win32';

for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
  const run = spawnSync(windows ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit', timeout: ATTEMPT_MS, killSignal: 'SIGKILL', shell: windows,
  });
  if (run.status === 0) process.exit(0);
  const why = run.error?.code === 'ETIMEDOUT' ? `no result in ${ATTEMPT_MS / 1000} s` : run.error ? run.error.message : `exit status ${run.status}`;
  console.error(`npm install (the SDKs for ConformanceTest), attempt ${attempt} of ${ATTEMPTS}: ${why}`);
}
process.exit(1);
