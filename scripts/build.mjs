// `npm run build`: install, generate the Prisma client, build the web app and the server bundle.
import { ensureBuilt, ensureInstalled } from './lib/workspace.mjs';

ensureInstalled();
ensureBuilt();
