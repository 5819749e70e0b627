// Serves a generated corpus for demos: npx tsx packages/pop3-server/src/cli.ts --port 1110 --messages 200
import { parseArgs } from 'node:util';
import { generateCorpus } from './corpus';
import { Pop3Server } from './server';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    messages: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    user: { type: 'string', default: 'user' },
    password: { type: 'string', default: 'secret' },
    tls: { type: 'boolean', default: false },
    stls: { type: 'boolean', default: false },
    'include-20mb': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: cli.ts [--host 127.0.0.1] [--port 0] [--messages 50] [--seed 1] [--user user]\n' +
      '              [--password secret] [--tls | --stls] [--include-20mb]\n',
  );
  process.exit(0);
}

const corpus = generateCorpus({
  count: Number(values.messages),
  seed: Number(values.seed),
  include20MB: values['include-20mb'],
});
const server = await Pop3Server.start({
  host: values.host,
  port: Number(values.port),
  security: values.tls ? 'tls' : 'none',
  stls: values.stls,
  users: [{ username: values.user, password: values.password }],
  mailboxes: {
    [values.user]: corpus.map((message) => ({ body: message.body, uidl: message.name })),
  },
});

process.stdout.write(
  `POP3 ${values.tls ? 'with implicit TLS ' : ''}on ${server.host}:${server.port}, ` +
    `${corpus.length} messages for ${values.user} / ${values.password}\n`,
);
if (server.tlsCert) process.stdout.write(`certificate sha256 ${server.tlsCert.sha256}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
