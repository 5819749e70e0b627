import type { AutoconfigSignIn, OAuthProviderName, Security } from '@popgate/contracts';

/**
 * The providers Popgate knows by name, as Thunderbird's ISPDB does: data only. Hosts, ports and
 * security are those of the providers' ISPDB entries (github.com/thunderbird/autoconfig, ispdb/);
 * the notes are the caveats a user meets before the first download works.
 */
export interface ServerPreset {
  host: string;
  port: number;
  security: Security;
}

export interface ProviderPreset {
  id: string;
  name: string;
  /** Address domains (lowercase, exact). */
  domains: readonly string[];
  /** MX hosts that betray the provider behind a domain of one's own (the host or a parent). */
  mxSuffixes: readonly string[];
  /** Null: the provider has no POP3 at all. */
  pop3: ServerPreset | null;
  smtp: ServerPreset | null;
  signIn: AutoconfigSignIn;
  oauth: OAuthProviderName | null;
  username: 'address' | 'local-part';
  notes: readonly string[];
}

const GMAIL_NOTES = [
  'Turn POP on first: in Gmail on the web, Settings (the gear) > See all settings > Forwarding and POP/IMAP > POP download.',
  'There, "Enable POP for all mail" offers every message still in the mailbox; "Enable POP for mail that arrives from now on" offers only mail that arrives after you chose it, so older mail never reaches Popgate.',
  'Gmail gives each message to POP once: after one mail app (Popgate, a phone, a desktop client) has downloaded it, the others no longer get it. To let each of them get everything, use "recent mode": put "recent:" before the address as the user name (recent:you@gmail.com); Gmail then offers the last 30 days of mail to every app, downloaded elsewhere or not.',
  'What Gmail does with its own copy after a POP download (keep it, mark it read, archive it, delete it) is chosen on the same page, under "When messages are accessed with POP".',
  'Gmail takes no account password over POP and SMTP: sign in with Google, or use an app password (Google Account > Security > 2-Step Verification > App passwords), which needs two-step verification turned on.',
];

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'gmail',
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    mxSuffixes: [],
    pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    signIn: 'oauth',
    oauth: 'google',
    username: 'address',
    notes: GMAIL_NOTES,
  },
  {
    id: 'google-workspace',
    name: 'Google Workspace',
    domains: [],
    mxSuffixes: ['google.com', 'googlemail.com'],
    pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    signIn: 'oauth',
    oauth: 'google',
    username: 'address',
    notes: [
      "This domain's mail is at Google (Google Workspace). Your organisation's administrator may have turned POP off for everyone (Google Admin console > Apps > Google Workspace > Gmail > End User Access).",
      'Google Workspace accounts take no password from other mail apps since March 2025: sign in with Google.',
      ...GMAIL_NOTES.slice(0, 4),
    ],
  },
  {
    id: 'outlook',
    name: 'Outlook.com (Hotmail, Live, MSN)',
    domains: [
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'windowslive.com',
      'livemail.tw',
      ...['at', 'be', 'cl', 'cz', 'de', 'dk', 'es', 'fr', 'hu', 'ie', 'in', 'it', 'jp', 'kr']
        .concat(['lv', 'my', 'ph', 'pt', 'sa', 'sg', 'sk', 'co.id', 'co.il', 'co.th', 'com.ar'])
        .concat(['com.au', 'com.br', 'com.gr', 'com.tr', 'com.vn'])
        .map((tld) => `outlook.${tld}`),
      ...['be', 'ca', 'cl', 'cz', 'de', 'dk', 'es', 'fi', 'fr', 'gr', 'hu', 'it', 'lt', 'lv']
        .concat(['my', 'nl', 'no', 'ph', 'rs', 'se', 'sg', 'sk', 'co.id', 'co.il', 'co.in'])
        .concat(['co.jp', 'co.kr', 'co.th', 'co.uk', 'co.za', 'com.ar', 'com.au', 'com.br'])
        .concat(['com.hk', 'com.tr', 'com.tw', 'com.vn'])
        .map((tld) => `hotmail.${tld}`),
      ...['at', 'be', 'ca', 'cl', 'cn', 'de', 'dk', 'fi', 'fr', 'hk', 'ie', 'in', 'it', 'jp']
        .concat(['nl', 'no', 'ru', 'se', 'co.jp', 'co.kr', 'co.uk', 'co.za', 'com.ar'])
        .concat(['com.au', 'com.mx', 'com.my', 'com.ph', 'com.pt', 'com.sg'])
        .map((tld) => `live.${tld}`),
    ],
    mxSuffixes: ['olc.protection.outlook.com'],
    pop3: { host: 'outlook.office365.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' },
    signIn: 'oauth',
    oauth: 'microsoft',
    username: 'address',
    notes: [
      'Turn POP on first (it is off by default): on outlook.com, Settings > Mail > Forwarding and IMAP > "Let devices and apps use POP".',
      'Outlook.com accepts POP and SMTP only with a Microsoft sign-in (OAuth2) since 16 September 2024: a password is refused. Sign in with Microsoft.',
    ],
  },
  {
    id: 'microsoft-365',
    name: 'Microsoft 365',
    domains: ['onmicrosoft.com'],
    mxSuffixes: ['mail.protection.outlook.com'],
    pop3: { host: 'outlook.office365.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    signIn: 'oauth',
    oauth: 'microsoft',
    username: 'address',
    notes: [
      "This domain's mail is at Microsoft 365 (Exchange Online), which turned password sign-in for POP off in 2022: sign in with Microsoft (OAuth2).",
      'POP may be off for your mailbox: your administrator turns it on in the Exchange admin center (Recipients > Mailboxes > your mailbox > Email apps > POP3); sending from Popgate needs "Authenticated SMTP" turned on there as well.',
    ],
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: [
      'yahoo.com',
      'ymail.com',
      'myyahoo.com',
      'rocketmail.com',
      ...['ca', 'de', 'it', 'fr', 'es', 'se', 'co.in', 'co.uk', 'co.nz', 'com.au', 'com.ar']
        .concat(['com.br', 'com.mx'])
        .map((tld) => `yahoo.${tld}`),
    ],
    mxSuffixes: ['yahoodns.net'],
    pop3: { host: 'pop.mail.yahoo.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'Yahoo takes an app password from other mail apps, not your account password: Yahoo account > Account security > Generate app password.',
    ],
  },
  {
    id: 'aol',
    name: 'AOL Mail',
    domains: [
      'aol.com',
      'aim.com',
      'netscape.net',
      'netscape.com',
      'compuserve.com',
      'cs.com',
      'wmconnect.com',
      ...[
        'de',
        'it',
        'fr',
        'es',
        'se',
        'co.uk',
        'co.nz',
        'com.au',
        'com.ar',
        'com.br',
        'com.mx',
      ].map((tld) => `aol.${tld}`),
    ],
    mxSuffixes: ['mail.gm0.yahoodns.net'],
    pop3: { host: 'pop.aol.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.aol.com', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'AOL takes an app password from other mail apps, not your account password: AOL account > Account security > Generate app password.',
    ],
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['mail.icloud.com'],
    pop3: null,
    smtp: null,
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'iCloud Mail has no POP3 at all, only IMAP, so Popgate (which downloads mail over POP3) cannot fetch an iCloud mailbox.',
      'To read iCloud mail here, have iCloud forward it (iCloud.com > Mail > Settings > Forwarding) to an address Popgate can fetch.',
    ],
  },
  {
    id: 'gmx-de',
    name: 'GMX',
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch', 'gmx.eu', 'gmx.biz', 'gmx.org', 'gmx.info'],
    mxSuffixes: ['gmx.net'],
    pop3: { host: 'pop.gmx.net', port: 995, security: 'tls' },
    smtp: { host: 'mail.gmx.net', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [
      'GMX lets mail apps in only after you allow it once: in the e-mail settings of your GMX account, under "POP3 & IMAP", allow access (help: hilfe.gmx.net/pop-imap/einschalten.html).',
    ],
  },
  {
    id: 'gmx-com',
    name: 'GMX',
    domains: [
      'gmx.com',
      'gmx.tm',
      'gmx.us',
      'gmx.co.uk',
      'gmx.es',
      'gmx.fr',
      'gmx.ca',
      'gmx.cn',
      'gmx.co.in',
      'gmx.com.br',
      'gmx.com.my',
      'gmx.hk',
      'gmx.ie',
      'gmx.ph',
      'gmx.pt',
      'gmx.ru',
      'gmx.se',
      'gmx.sg',
      'gmx.tw',
      'gmx.com.tr',
      'gmx.it',
      'gmx.li',
    ],
    mxSuffixes: ['gmx.com'],
    pop3: { host: 'pop.gmx.com', port: 995, security: 'tls' },
    smtp: { host: 'mail.gmx.com', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [
      'GMX lets mail apps in only after you allow it once: in the settings of your GMX mailbox, under "POP3 & IMAP", allow access.',
    ],
  },
  {
    id: 'web-de',
    name: 'WEB.DE',
    domains: ['web.de'],
    mxSuffixes: ['web.de'],
    pop3: { host: 'pop3.web.de', port: 995, security: 'tls' },
    smtp: { host: 'smtp.web.de', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'local-part',
    notes: [
      'WEB.DE lets mail apps in only after you allow it once: in the e-mail settings of your WEB.DE account, under "POP3 & IMAP", allow access (help: hilfe.web.de/pop-imap/einschalten.html).',
    ],
  },
  ...(
    [
      ['com', 'zoho.com', 'zohomail.com'],
      ['eu', 'zoho.eu', 'zohomail.eu'],
      ['in', 'zoho.in', 'zohomail.in'],
      ['com.au', 'zoho.com.au', 'zohomail.com.au'],
      ['jp', 'zoho.jp', 'zohomail.jp'],
    ] as const
  ).map(([tld, ...domains]): ProviderPreset => ({
    id: `zoho-${tld.replace('.', '-')}`,
    name: 'Zoho Mail',
    domains,
    mxSuffixes: [`zoho.${tld}`],
    pop3: { host: `pop.zoho.${tld}`, port: 995, security: 'tls' },
    smtp: { host: `smtp.zoho.${tld}`, port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [
      'Turn POP access on first: Zoho Mail > Settings > Mail Accounts > POP/IMAP (help: zoho.com/mail/help/pop-access.html).',
      'With two-factor authentication on, Zoho takes an app-specific password from mail apps, not your account password.',
    ],
  })),
  {
    id: 'fastmail',
    name: 'Fastmail',
    domains: ['fastmail.com', 'fastmail.fm'],
    mxSuffixes: ['messagingengine.com'],
    pop3: { host: 'pop.fastmail.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.fastmail.com', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      "Fastmail takes an app password from other mail apps, not your account password: create one in Fastmail's settings, under Privacy & Security.",
    ],
  },
  {
    id: 'yandex',
    name: 'Yandex Mail',
    domains: [
      'yandex.ru',
      'yandex.com',
      'yandex.net',
      'yandex.by',
      'yandex.kz',
      'yandex.ua',
      'ya.ru',
      'narod.ru',
    ],
    mxSuffixes: ['yandex.ru', 'yandex.net'],
    pop3: { host: 'pop.yandex.com', port: 995, security: 'tls' },
    smtp: { host: 'smtp.yandex.com', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'Turn mail apps on first: Yandex Mail > Settings > Email clients (mail.yandex.ru/neo/setup_client).',
      'Yandex takes an app password from mail apps: Yandex ID > Security > App passwords.',
    ],
  },
  {
    id: 'mail-ru',
    name: 'Mail.ru',
    domains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru'],
    mxSuffixes: ['mail.ru'],
    pop3: { host: 'pop.mail.ru', port: 995, security: 'tls' },
    smtp: { host: 'smtp.mail.ru', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'Mail.ru takes a password made for other apps, not your account password: Mail.ru settings > Security > Passwords for external applications.',
    ],
  },
  {
    id: 't-online',
    name: 'T-Online (Telekom)',
    domains: ['t-online.de', 'magenta.de'],
    mxSuffixes: ['t-online.de'],
    pop3: { host: 'securepop.t-online.de', port: 995, security: 'tls' },
    smtp: { host: 'securesmtp.t-online.de', port: 465, security: 'tls' },
    signIn: 'app-password',
    oauth: null,
    username: 'address',
    notes: [
      'Mail apps need an e-mail password of their own, set up in the Telekom customer centre (help: telekom.de/hilfe, "E-Mail-Passwort"): the password of the T-Online website and webmail does not work here.',
    ],
  },
  {
    id: 'comcast',
    name: 'Comcast (Xfinity)',
    domains: ['comcast.net'],
    mxSuffixes: ['comcast.net'],
    pop3: { host: 'mail.comcast.net', port: 995, security: 'tls' },
    smtp: { host: 'smtp.comcast.net', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [
      "If the sign-in is refused, allow third-party mail apps in the security settings of Xfinity's webmail.",
    ],
  },
  {
    id: 'orange',
    name: 'Orange',
    domains: ['orange.fr', 'wanadoo.fr'],
    mxSuffixes: ['orange.fr'],
    pop3: { host: 'pop.orange.fr', port: 995, security: 'tls' },
    smtp: { host: 'smtp.orange.fr', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [],
  },
  {
    id: 'libero',
    name: 'Libero Mail',
    domains: ['libero.it', 'iol.it', 'blu.it', 'inwind.it', 'giallo.it'],
    mxSuffixes: ['libero.it'],
    pop3: { host: 'popmail.libero.it', port: 995, security: 'tls' },
    smtp: { host: 'smtp.libero.it', port: 465, security: 'tls' },
    signIn: 'password',
    oauth: null,
    username: 'address',
    notes: [],
  },
];
