// Building blocks for other harnesses that start a private server the way startDovecot does
// (Postfix's, in @popgate/postfix-harness): ports, greetings, process trees, maildir names.
export { reserveFreePorts } from './free-ports';
export { readGreeting, waitForGreeting, type ProbeTarget } from './greeting-probe';
export { compareMaildirNames, maildirBaseName } from './maildir-names';
export { guardAgainstOrphan, signalAll } from './orphan-guard';
export { descendantPids, isAlive } from './process-tree';
export { deathSignalPrefix, shutDown } from './supervision';
