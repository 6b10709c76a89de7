// kafkajs 2.2.4 filters aborted transactions on the client, and its filter lets records of aborted
// transactions through when two producers' aborted transactions interleave (docs/adr/0005). We patch it
// at install time (patches/kafkajs+2.2.4.patch, applied by patch-package in `postinstall`). Every
// read_committed reader (task restore, read model, connector, checker) depends on that patch, so refuse
// to start without it rather than silently read aborted data.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const filter = require('kafkajs/src/consumer/filterAbortedMessages') as { readCommittedFixed?: boolean };

if (filter.readCommittedFixed !== true) {
  throw new Error(
    'kafkajs is not patched: its read_committed filter can deliver aborted records. Run `npm ci` (or `npx patch-package`) so patches/kafkajs+2.2.4.patch is applied.',
  );
}
