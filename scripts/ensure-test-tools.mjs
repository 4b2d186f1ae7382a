#!/usr/bin/env node
/**
 * `npm test` runs this first (the `pretest` script): the SSH deploy-key tests need OpenSSH's server
 * (`/usr/sbin/sshd`) to stand up a loopback SSH git server. On a fresh Debian/Ubuntu machine where we
 * are root, install it (package `openssh-server`); otherwise say what to install and carry on (the
 * SSH tests then fail with the same hint). Nothing else is installed, and nothing runs when sshd exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SSHD = '/usr/sbin/sshd';
if (!existsSync(SSHD)) {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    console.error('ferry tests: installing openssh-server (for the loopback SSH git server in the tests)');
    const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    process.env.DEBIAN_FRONTEND = 'noninteractive';
    if (!apt(['install', '-y', '-q', 'openssh-server'])) {
      apt(['update', '-q']);
      apt(['install', '-y', '-q', 'openssh-server']);
    }
  }
  if (!existsSync(SSHD))
    console.error(
      `ferry tests: ${SSHD} is missing, so the SSH deploy-key tests will fail. Install OpenSSH's server (Debian/Ubuntu: sudo apt-get install openssh-server).`,
    );
}
