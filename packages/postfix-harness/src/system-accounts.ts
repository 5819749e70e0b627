import { readFileSync } from 'node:fs';

export interface PostfixIdentities {
  /** mail_owner: owns the queue; every daemon but master runs as this user. */
  owner: { name: string; uid: number; gid: number };
  /** setgid_group: group of the public/ and maildrop/ queue folders. */
  setgidGroup: { name: string; gid: number };
}

function entries(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4);
}

/** The accounts Debian's postfix package creates: user `postfix`, group `postdrop`. */
export function choosePostfixIdentities(): PostfixIdentities {
  const user = entries('/etc/passwd').find((fields) => fields[0] === 'postfix');
  if (!user) throw new Error('no "postfix" system user: is the postfix package installed?');
  const owner = { name: 'postfix', uid: Number(user[2]), gid: Number(user[3]) };
  const postdrop = entries('/etc/group').find((fields) => fields[0] === 'postdrop');
  return {
    owner,
    setgidGroup: postdrop
      ? { name: 'postdrop', gid: Number(postdrop[2]) }
      : { name: owner.name, gid: owner.gid },
  };
}
