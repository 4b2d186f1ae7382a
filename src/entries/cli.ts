import { main } from '../cli/main.js';
void main(process.argv.slice(2)).then((code) => {
  // Exit once stdout has drained (a piped --json report must not be cut off), even if a handle stayed open.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
